"""The lookup tables behind SDK and packer matching: boundaries, precedence, patterns."""

from __future__ import annotations

import pytest

from scanner.signatures.index import GlobTable, HostTable, PrefixIndex


def test_prefixes_match_at_package_boundaries_only() -> None:
    index = PrefixIndex([("Lcom/arcsoft/face/", "arcface")])
    assert index.owner("Lcom/arcsoft/face/FaceEngine;") == "arcface"
    assert index.owner("Lcom/arcsoft/face/a/B;") == "arcface"
    assert index.owner("Lcom/arcsoft/facerecognition/AFR_FSDKEngine;") is None
    assert index.owner("Lcom/arcsoft/Face;") is None


def test_class_keys_cover_the_class_and_its_inner_classes_not_its_neighbours() -> None:
    index = PrefixIndex([("Lcom/iflytek/cloud/FaceRequest;", "iflytek_face")])
    assert index.owner("Lcom/iflytek/cloud/FaceRequest;") == "iflytek_face"
    assert index.owner("Lcom/iflytek/cloud/FaceRequest$1;") == "iflytek_face"
    assert index.owner("Lcom/iflytek/cloud/FaceRequestX;") is None
    assert index.owner("Lcom/iflytek/cloud/SpeechRecognizer;") is None


def test_the_most_specific_entry_wins_and_the_first_keeps_a_shared_key() -> None:
    index = PrefixIndex([
        ("Lcom/google/firebase/ml/vision/face/", "firebase_face"),
        ("Lcom/google/firebase/", "firebase"),
        ("Lcom/google/firebase/", "imported_firebase"),  # a later source claiming the same key loses
    ])
    assert index.owner("Lcom/google/firebase/ml/vision/face/FirebaseVisionFaceDetector;") == "firebase_face"
    assert index.owner("Lcom/google/firebase/analytics/FirebaseAnalytics;") == "firebase"


def test_a_key_that_is_neither_package_nor_class_is_refused() -> None:
    with pytest.raises(ValueError, match="com.umeng"):
        PrefixIndex([("com.umeng", "x")])


def test_glob_table_first_listed_pattern_wins_and_matches_whole_names() -> None:
    table = GlobTable([("libAPSE_*.so", "zim"), ("lib*.so", "any"), ("*facenet*.tflite", "facenet")])
    assert table.owner("libAPSE_8.0.so") == "zim"
    assert table.owner("libother.so") == "any"
    assert table.owner("libother.so.bak") is None
    assert table.owner("mobilefacenet.tflite") == "facenet"
    assert GlobTable([]).owner("anything") is None


def test_glob_table_can_ignore_case() -> None:
    table = GlobTable([("*facenet*.tflite", "facenet")], ignore_case=True)
    assert table.owner("MobileFaceNet.tflite") == "facenet"
    assert GlobTable([("*facenet*.tflite", "facenet")]).owner("MobileFaceNet.tflite") is None


def test_hosts_exact_beats_domain_deeper_domain_beats_shallower() -> None:
    table = HostTable([("*.baidubce.com", "baidu_cloud"), ("aip.baidubce.com", "baidu_face"),
                       ("*.bj.baidubce.com", "baidu_bj"), ("facebody.*.aliyuncs.com", "facebody")])
    assert table.owner("aip.baidubce.com") == "baidu_face"
    assert table.owner("AIP.BAIDUBCE.COM.") == "baidu_face"
    assert table.owner("x.bj.baidubce.com") == "baidu_bj"
    assert table.owner("baidubce.com") == "baidu_cloud"
    assert table.owner("other.baidubce.com") == "baidu_cloud"
    assert table.owner("notbaidubce.com") is None
    assert table.owner("facebody.cn-shanghai.aliyuncs.com") == "facebody"
    assert table.owner("ocr.cn-shanghai.aliyuncs.com") is None
