import pytest
import yaml

from scanner.errors import RuleLoadError
from scanner.signatures import (
    FACE_SDKS_PATH,
    TRACKERS_PATH,
    api_table,
    apk_lexicon,
    face_sdks,
    parse_api_file,
    parse_lexicon_file,
    parse_sdk_file,
    readable_ref,
    ref_head,
    sdk_index,
    trackers,
)


def test_shipped_files_load_and_cover_all_face_vendors():
    vendors = " ".join(s.vendor for s in face_sdks())
    for name in ("ArcSoft", "Baidu", "Megvii", "SenseTime", "Huiyan", "YouTu", "Alibaba", "微信支付", "Google", "Huawei"):
        assert name in vendors or any(name in s.product for s in face_sdks()), name
    assert all(s.capability and s.entry_points is not None for s in face_sdks())
    assert len(trackers()) >= 12
    assert api_table().apis and apk_lexicon()["face_purpose"]


def test_signatures_are_product_level():
    index = sdk_index()
    assert index.class_owner("Lcom/megvii/meglive_sdk/manager/MegLiveManager;").id == "megvii_faceid"
    assert index.class_owner("Lcom/megvii/player/Player;") is None
    assert index.class_owner("Lcom/megvii/licensemanager/Manager;") is None  # shared by two products
    assert index.class_owner("Lcom/arcsoft/facex/Other;") is None


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_bad_signature_file_names_the_file(tmp_path):
    data = yaml.safe_load(FACE_SDKS_PATH.read_text(encoding="utf-8"))
    del data["sdks"][0]["class_prefixes"]
    path = _write(tmp_path, "broken_face.yaml", data)
    with pytest.raises(RuleLoadError, match="broken_face.yaml"):
        parse_sdk_file(path)


def test_face_entry_without_capability_is_rejected(tmp_path):
    data = yaml.safe_load(FACE_SDKS_PATH.read_text(encoding="utf-8"))
    del data["sdks"][1]["capability"]
    with pytest.raises(RuleLoadError, match="capability"):
        parse_sdk_file(_write(tmp_path, "nocap.yaml", data))


def test_duplicate_sdk_id_is_rejected(tmp_path):
    data = yaml.safe_load(FACE_SDKS_PATH.read_text(encoding="utf-8"))
    data["sdks"].append(dict(data["sdks"][0]))
    with pytest.raises(RuleLoadError, match="duplicate SDK id arcsoft_arcface"):
        parse_sdk_file(_write(tmp_path, "dup.yaml", data))


def test_unparsable_yaml_is_rejected(tmp_path):
    path = tmp_path / "garbled.yaml"
    path.write_text("kind: face\nsdks: [\n", encoding="utf-8")
    with pytest.raises(RuleLoadError, match="garbled.yaml"):
        parse_sdk_file(path)


def test_identifier_api_needs_a_known_key(tmp_path):
    data = {
        "kind": "apis", "library_prefixes": [], "sensitive_permissions": {}, "endpoint_ignore_hosts": [],
        "apis": [{"kind": "identifier.collect", "key": "shoe_size", "ref": "Landroid/x/Y;->z"}],
    }
    with pytest.raises(RuleLoadError, match="apis.yaml"):
        parse_api_file(_write(tmp_path, "apis.yaml", data))


def test_lexicon_with_bad_regex_is_rejected(tmp_path):
    data = dict(apk_lexicon())
    data["consent_dialog"] = dict(data["consent_dialog"], patterns=["同意(《"])
    with pytest.raises(RuleLoadError, match="lex.yaml"):
        parse_lexicon_file(_write(tmp_path, "lex.yaml", data))


def test_ref_helpers():
    assert ref_head("Lcom/a/B;->m(I)V") == "Lcom/a/B;->m"
    assert ref_head("Landroid/os/Build;->SERIAL:Ljava/lang/String;") == "Landroid/os/Build;->SERIAL"
    assert readable_ref("Lcom/a/B$C;->m(I)V") == "com.a.B$C.m"


def test_start_calls_become_ref_heads_and_a_compliant_pre_init_is_none():
    umeng = next(s for s in trackers() if s.id == "umeng")
    assert "Lcom/umeng/commonsdk/UMConfigure;->init" in umeng.start_call_refs()
    assert not any(ref.endswith("->preInit") for ref in umeng.start_call_refs())
    arcsoft = next(s for s in face_sdks() if s.id == "arcsoft_arcface")
    assert arcsoft.start_call_refs() == ("Lcom/arcsoft/face/FaceEngine;->activeOnline", "Lcom/arcsoft/face/FaceEngine;->init")


def test_a_start_call_that_names_no_method_is_rejected(tmp_path):
    data = yaml.safe_load(TRACKERS_PATH.read_text(encoding="utf-8"))
    data["sdks"][0]["start_calls"] = ["UMConfigure init"]
    with pytest.raises(RuleLoadError, match="trackers_bad.yaml"):
        parse_sdk_file(_write(tmp_path, "trackers_bad.yaml", data))


def test_lexicon_with_bad_consent_flag_key_pattern_is_rejected(tmp_path):
    data = dict(apk_lexicon())
    data["consent_dialog"] = dict(data["consent_dialog"], flag_keys=["agree("])
    with pytest.raises(RuleLoadError, match="bad pattern"):
        parse_lexicon_file(_write(tmp_path, "lex.yaml", data))
