"""A simulator of the national medical-insurance platform (国家医保信息平台) for integration tests."""

__version__ = "0.1.0"
