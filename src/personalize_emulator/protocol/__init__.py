"""Wire <-> plain dicts, driven by botocore's service models. Knows nothing about resources."""
