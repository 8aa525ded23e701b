"""onewindow: an integrated online government service platform (互联网+政务服务, 一网通办)."""

__version__ = "0.1.0"
