"""Infrastructure of the end-to-end suites: certificates, nginx, the gateway, small upstreams."""
