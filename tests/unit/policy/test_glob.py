"""Wildcard matching: agrees with a simple recursive reference matcher, and stays linear."""

from __future__ import annotations

import time
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ironbucket.policy.glob import Wild, compile_glob, compile_text, text_tokens


def reference(pattern: str, text: str) -> bool:
    """Independent matcher: plain recursion over (pattern index, text index)."""

    @cache
    def go(p: int, t: int) -> bool:
        if p == len(pattern):
            return t == len(text)
        char = pattern[p]
        if char == "*":
            return go(p + 1, t) or (t < len(text) and go(p, t + 1))
        if t == len(text):
            return False
        return (char == "?" or char == text[t]) and go(p + 1, t + 1)

    return go(0, 0)


ALPHABET = "ab*?/."
TEXT_ALPHABET = "ab/.*?"


@settings(max_examples=600, deadline=None)
@given(st.text(ALPHABET, max_size=12), st.text(TEXT_ALPHABET, max_size=16))
def test_agrees_with_reference(pattern: str, text: str) -> None:
    assert compile_text(pattern)(text) is reference(pattern, text)


@settings(max_examples=200, deadline=None)
@given(st.text(ALPHABET, max_size=10))
def test_pattern_matches_its_own_literal_expansion(pattern: str) -> None:
    text = pattern.replace("*", "xyz").replace("?", "q")
    assert compile_text(pattern)(text)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("*", "", True),
        ("*", "anything/at/all", True),
        ("a*", "a", True),
        ("a*", "ba", False),
        ("*a", "ba", True),
        ("*a*", "xxaxx", True),
        ("a?c", "abc", True),
        ("a?c", "ac", False),
        ("a?c", "abbc", False),
        ("a.c", "abc", False),  # '.' is literal, never a regex metacharacter
        ("a+", "aa", False),
        ("(a|b)", "a", False),
        ("[ab]", "a", False),
        ("^a$", "^a$", True),
        ("a\\b", "a\\b", True),
        ("home/*/docs", "home/alice/x/docs", True),  # '*' crosses '/'
        ("home/?/d", "home///d", True),  # "?" matches "/" too
        ("ab*ba", "aba", False),  # prefix and suffix must not overlap
        ("ab*ba", "abba", True),
        ("a*b?c*d", "axxbycxxd", True),
        ("a*b?c*d", "axxbyxxd", False),
        ("é*ü", "éxü", True),
    ],
)
def test_table(pattern: str, text: str, expected: bool) -> None:
    assert compile_text(pattern)(text) is expected
    assert reference(pattern, text) is expected


def test_literal_star_tokens_are_not_wildcards() -> None:
    # ${*} in a policy becomes a literal '*' token, distinct from Wild.STAR
    assert compile_glob(["a*b"])("a*b")
    assert not compile_glob(["a*b"])("axb")
    assert compile_glob(["a", Wild.STAR, "b"])("axxb")


def test_text_tokens() -> None:
    assert text_tokens("a*b?") == ["a", Wild.STAR, "b", Wild.QUEST]
    assert text_tokens("") == []


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("a*" * 200 + "b", "a" * 100_000),
        ("*a" * 200 + "*b", "a" * 100_000),
        ("a*b*c*d*e*f*g*h*i*j*k*l*m*n*o*p*q*r*s*t*u*v*w*x*y*z", "abcdefghijklmnopqrstuvwxy" * 4000),
        ("?a" * 100 + "*" + "?b" * 100, "a" * 50_000),
        ("*" + "a?" * 100 + "*c", "ab" * 50_000),
    ],
)
def test_pathological_patterns_are_fast(pattern: str, text: str) -> None:
    matcher = compile_text(pattern)
    started = time.perf_counter()
    for _ in range(5):
        matcher(text)
    assert time.perf_counter() - started < 2.0
