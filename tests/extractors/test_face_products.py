"""Every face product's signature against an app built from its public identifiers (positive), a
look-alike that is not it (negative), and the same app with its classes renamed (obfuscation)."""

from __future__ import annotations

import pytest

from scanner.model import Confidence
from scanner.signatures import face_sdks

from .face_products import face_sdks_found, has_non_class_signals, load_products, source_for

PRODUCTS = load_products()
BY_NUMBER = {p["n"]: p for p in PRODUCTS}


def test_the_39_products_each_have_one_signature_and_one_case() -> None:
    assert sorted(BY_NUMBER) == list(range(1, 40))
    assert sorted(p["expect"]["id"] for p in PRODUCTS) == sorted(s.id for s in face_sdks())


@pytest.mark.parametrize("n", sorted(BY_NUMBER))
def test_product_is_found_as_itself_with_its_capability(n: int) -> None:
    product = BY_NUMBER[n]
    found = face_sdks_found(source_for(product))
    assert set(found) == {product["expect"]["id"]}, product["name"]  # and as no other product
    assert found[product["expect"]["id"]].attrs["capability"] == product["expect"]["capability"]


@pytest.mark.parametrize("n", sorted(BY_NUMBER))
def test_look_alike_is_not_the_product(n: int) -> None:
    product = BY_NUMBER[n]
    found = face_sdks_found(source_for(product["near"]))
    assert set(found) == set(product["near"]["near_is"]), product["name"]


@pytest.mark.parametrize("n", sorted(n for n, p in BY_NUMBER.items() if has_non_class_signals(p)))
def test_renamed_product_is_still_found_by_what_renaming_keeps(n: int) -> None:
    product = BY_NUMBER[n]
    found = face_sdks_found(source_for(product, rename_classes=True))
    face = found[product["expect"]["id"]]
    via = face.attrs["via"]
    # declared screens keep their class names through renaming (aapt keeps manifest classes): only then a class
    assert "class" not in via or product.get("components")
    assert set(via) - {"class"} and face.attrs["matched"]  # how it was matched, and what
    # its own classes or JNI library prove the SDK; a screen, asset, model, host or path is a strong hint
    expected = Confidence.HIGH if {"class", "native_lib"} & set(via) else Confidence.MEDIUM
    assert face.confidence is expected


def test_renamed_classes_alone_are_not_guessed_at() -> None:
    only_classes = [p for p in PRODUCTS if not has_non_class_signals(p)]
    assert only_classes  # e.g. WeBank, ZOLOZ, FacePass: nothing but packages to go by
    for product in only_classes:
        assert face_sdks_found(source_for(product, rename_classes=True)) == {}, product["name"]
