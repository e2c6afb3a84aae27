"""Check every suite's gold answers against its corpus (or the suites named with --suite).

    python eval/check_gold.py                  # all suites under eval/suites/
    python eval/check_gold.py --suite prose    # one suite; repeatable

The same check as `rag eval --check-gold` (rag/evaluation/gold_check.py): each gold
source exists, each gold number with a source is stated in that source's text as
rag's loader extracts it, each derived result follows from its operands. Exit 1
when a problem is found; each problem is printed on its own line.
"""

import sys

from rag.cli import main

if __name__ == "__main__":
    sys.exit(main(["eval", "--check-gold", *sys.argv[1:]]))
