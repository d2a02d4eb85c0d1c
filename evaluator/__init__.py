"""villkor: grant conditions as code.

Data flows one way: policy (load, validate) -> lang (parse, check) -> plan -> engine
(evaluate) -> explain -> report.
"""

__version__ = "0.1.0"
