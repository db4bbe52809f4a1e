"""Helpers in a second module so reports have more than one file."""


def divide(a: float, b: float) -> float:
    if b == 0:
        raise ZeroDivisionError("division by zero")  # cov:calc-zero
    return a / b  # cov:calc-divide


def unused_helper(x: int) -> int:
    return x * 2  # cov:calc-unused
