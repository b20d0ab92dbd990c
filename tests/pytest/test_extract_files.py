"""What tells a loaded extract file from a new or changed one: its size and its bytes' hash."""

from __future__ import annotations

import hashlib

from cx.extract_files import file_hash, file_size, folder_entries


def test_a_change_that_keeps_the_size_changes_the_hash(tmp_path):
    path = tmp_path / "2025-01-01.csv"
    path.write_bytes(b"response_id,nps_score\nR1,8\n")
    before = (file_size(str(path)), file_hash(str(path)))
    path.write_bytes(b"response_id,nps_score\nR1,7\n")
    after = (file_size(str(path)), file_hash(str(path)))
    assert before[0] == after[0] == 27  # 22 bytes of header and newline, 5 of the line
    assert before[1] != after[1]
    assert after[1] == hashlib.sha1(b"response_id,nps_score\nR1,7\n").hexdigest()


def test_the_hash_of_a_file_larger_than_one_block_is_the_hash_of_all_its_bytes(tmp_path):
    path = tmp_path / "big.csv"
    data = b"x" * (3 * (1 << 20) + 17)  # three 1 MiB blocks and a few bytes
    path.write_bytes(data)
    assert file_hash(str(path)) == hashlib.sha1(data).hexdigest()
    assert file_size(str(path)) == len(data)


def test_a_folder_is_listed_as_it_is_named_patterns_and_all(tmp_path):
    folder = tmp_path / "it's [here] *" / "activities"
    folder.mkdir(parents=True)
    for name in ("2025-01-02.csv", "2025-01-01.csv", "notes"):
        (folder / name).write_text("x", encoding="utf-8")
    (folder / "old").mkdir()
    assert folder_entries(str(folder)) == [
        f"{folder}/{name}" for name in ("2025-01-01.csv", "2025-01-02.csv", "notes", "old")
    ]
    assert folder_entries(str(tmp_path / "missing")) is None
    assert folder_entries(str(folder / "notes")) is None  # a file is no folder
