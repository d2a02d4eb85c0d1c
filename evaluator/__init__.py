"""villkor: grant conditions as code.

Data flows one way: policy (load, validate) -> lang (parse, check) -> plan -> engine
(evaluate) -> explain -> report. The Python API (evaluator/api.py, docs/api.md) is exported
here: `import evaluator as villkor; villkor.load("policies/2026_performance.yaml")`. The names
are looked up when first used, so `import evaluator` (and `villkor --version`) stays free of
numpy and pandas.
"""

__version__ = "0.1.0"

_API = ("load", "load_model", "compare", "Policy", "Data", "Result", "PolicyDiff")
_ERRORS = ("VillkorError", "PolicyError", "DataError", "CheckFailed", "UsageError")
__all__ = ["__version__", *_API, *_ERRORS]


def __getattr__(name: str):
    if name in _API:
        from . import api
        return getattr(api, name)
    if name in _ERRORS:
        from . import errors
        return getattr(errors, name)
    raise AttributeError(f"module 'evaluator' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
