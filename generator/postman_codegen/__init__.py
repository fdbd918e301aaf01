"""postman-codegen: typed Python API clients from Postman collections."""

__version__ = "0.1.0"
