"""Protectors (加固) as they show in a package, for the packer tests and bench/sdk_coverage.py."""

from __future__ import annotations

# Each protector as it shows in a package (stub classes, the manifest's application, files), from
# the vendors' public descriptions and published protector rules, and a near miss that is not it.
SEEN: dict[str, dict] = {
    "qihoo_jiagu": {"application": "com.stub.StubApp", "files": ["lib/armeabi-v7a/libjiagu.so"]},
    "tencent_legu": {"classes": ["Lcom/tencent/StubShell/TxAppEntry;"], "files": ["lib/armeabi/libshella-4.1.0.29.so"]},
    "secneo_bangcle": {"classes": ["Lcom/secneo/apkwrapper/ApplicationWrapper;"],
                       "files": ["lib/armeabi/libDexHelper.so", "assets/classes0.jar"]},
    "ijiami": {"application": "s.h.e.l.l.S", "files": ["lib/armeabi/libexecmain.so", "assets/ijiami.dat"]},
    "baidu_protect": {"classes": ["Lcom/baidu/protect/StubApplication;"],
                      "files": ["lib/armeabi/libbaiduprotect.so", "assets/baiduprotect1.jar"]},
    "ali_mobisec": {"classes": ["Lcom/ali/mobisecenhance/StubApplication;"], "files": ["lib/armeabi/libmobisec.so"]},
    "ali_securityguard": {"classes": ["Lcom/alibaba/wireless/security/open/SecurityGuardManager;"],
                          "files": ["lib/armeabi/libsgmainso-6.4.36.so"]},
    "netease_yidun": {"classes": ["Lcom/netease/nis/wrapper/Entry;"], "files": ["lib/armeabi/libnesec.so"]},
    "nagain": {"files": ["lib/armeabi/libddog.so", "lib/armeabi/libchaosvmp.so"]},
    "kiwisec": {"files": ["lib/arm64-v8a/libkwscmm.so", "lib/arm64-v8a/libkwslinker.so"]},
    "pangxie": {"application": "com.merry.wapper.WapperApplication", "files": ["lib/armeabi/libnsecure.so"]},
    "dexprotector": {"files": ["assets/dp.arm-v7.so.dat", "assets/dp.mp3"]},
    "appguard": {"files": ["lib/armeabi/libAppGuard.so", "assets/AppGuard0.jar"]},
    "dxshield": {"files": ["lib/armeabi/libdxbase.so", "assets/DXINFO.XML"]},
    "liapp": {"files": ["assets/LIAPPEgg.dat", "assets/LIAPPClient.sc"]},
    "appsealing": {"files": ["lib/armeabi/libcovault-appsec.so", "assets/appsealing.dex"]},
    "apkprotect": {"files": ["lib/armeabi/libAPKProtect.so", "assets/apkprotect.com/key.dat"]},
}
NEAR_MISSES = [
    {"classes": ["Lcom/stub/StubAppHelper;", "Lcom/tencent/StubShellX/A;"], "application": "com.example.App"},
    {"files": ["lib/armeabi/libshelltools.so", "lib/armeabi/libexec2.so", "lib/armeabi/libsecure.so",
               "assets/jiagu.txt", "assets/dp.json", "assets/AppGuardian.txt"]},
    {"files": ["lib/arm64-v8a/libc++_shared.so", "assets/index.html", "res/raw/classes0.jar"]},
]
