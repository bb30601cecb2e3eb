"""Run one batch over a directory of .txt inputs with the stand-in scanner (for the kill test)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from campaign_fakes import TOOL, scan_text

from scanner.campaign.batch import run_batch

if __name__ == "__main__":
    db, inputs = Path(sys.argv[1]), Path(sys.argv[2])
    run_batch([inputs], db, campaign="kill-test", jobs=1, progress=False, scan_fn=scan_text, tool=TOOL)
