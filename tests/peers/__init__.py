"""Real peers for tests: virtual cameras, RTSP sources and hostile loopback servers."""
