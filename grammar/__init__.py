"""The Lark grammar of the villkor expression language, shipped inside the package."""
