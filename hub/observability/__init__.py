"""What an operator sees of a running hub: structured logs and Prometheus metrics."""
