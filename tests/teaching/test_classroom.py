"""nzsim classroom: every team's bundle runs, the frontier is marked, a bad file is named and skipped."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLASS = ROOT / "scenarios" / "classroom"


def classroom(*argv, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "nzsim", "classroom", *map(str, argv)], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_a_class_runs_side_by_side_with_the_frontier_marked_and_a_bad_file_named(tmp_path):
    folder = tmp_path / "class"
    shutil.copytree(CLASS, folder)
    shutil.copy(ROOT / "scenarios" / "vilnius-2023.yaml", tmp_path)  # what the shared base extends
    for extra in folder.glob("team-*.yaml"):
        if extra.name not in ("team-align.yaml", "team-stay-home.yaml", "team-deeds-not-words.yaml"):
            extra.unlink()
    (folder / "team-typo.yaml").write_text(
        "extends: base/class-base.yaml\nname: team-typo\ndescription: x\nreferences: [x]\n"
        "events:\n  vilnius:\n    signals:\n      china_langauge: strong\n"
    )
    out = tmp_path / "out"
    result = classroom(folder, "--reps", 12, "--workers", 1, "--out", out)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and "team-typo.yaml" in errors[0] and "china_langauge" in errors[0]
    assert "Traceback" not in result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  team-")}
    assert set(rows) == {"team-align", "team-stay-home", "team-deeds-not-words"}
    # Staying away with strong framing gives less interoperability and trust than contributing
    # quietly, at no gain on exports or coercion; approval is level (within a point), so it stays on
    # the frontier only where its approval is the higher by chance, and is marked off it otherwise.
    home, deeds = (rows[t].split()[1:6] for t in ("team-stay-home", "team-deeds-not-words"))
    home, deeds = [float(x.replace(",", "")) for x in home], [float(x.replace(",", "")) for x in deeds]
    assert home[0] < deeds[0] and home[4] < deeds[4]  # interoperability, trust
    assert abs(home[3] - deeds[3]) < 0.02  # approval level
    if home[3] > deeds[3]:
        assert rows["team-stay-home"].rstrip().endswith("yes")
    else:
        assert "no (beaten by" in rows["team-stay-home"]
    assert rows["team-align"].rstrip().endswith("yes")
    assert (out / "frontier.png").stat().st_size > 10_000
    assert (out / "frontier.csv").is_file() and (out / "team-align" / "manifest.json").is_file()


def test_a_folder_without_scenarios_is_one_line(tmp_path):
    result = classroom(tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "has none" in result.stderr


def test_copies_bundles_from_elsewhere_and_bad_folders(tmp_path):
    """A copied file runs under its own file name; a file that is not a signal bundle over the
    shared base is named in a warning; a bad --out is one line; nothing is written when no file runs."""
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copytree(CLASS / "base", folder / "base")
    shutil.copy(ROOT / "scenarios" / "vilnius-2023.yaml", tmp_path)
    shutil.copy(CLASS / "team-align.yaml", folder / "team-align.yaml")
    shutil.copy(CLASS / "team-align.yaml", folder / "team-align-copy.yaml")  # same name: inside, team-align
    shutil.copy(CLASS / "team-hedge.yaml", folder / "team-hedge.yaml")
    (folder / "team-rich.yaml").write_text(  # changes the situation, not only the signals
        "extends: base/class-base.yaml\nname: team-rich\ndescription: x\nreferences: [x]\n"
        "context:\n  china_export_share: 0.05\n"
    )
    shutil.copy(ROOT / "scenarios" / "vilnius-2023.yaml", folder / "team-own.yaml")  # a whole scenario, no base
    out = tmp_path / "out"
    result = classroom(folder, "--reps", 6, "--workers", 1, "--out", out)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0] for line in result.stdout.splitlines() if line.startswith("  team-")}
    assert rows == {"team-align", "team-align-copy", "team-hedge", "team-rich", "team-own"}
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert any("team-own.yaml does not extend a base" in w for w in warnings), warnings
    assert any("team-rich.yaml changes the situation" in w and "china_export_share" in w for w in warnings), warnings
    assert not any("team-hedge.yaml" in w for w in warnings)

    bad_out = classroom(folder, "--reps", 6, "--workers", 1, "--out", "/dev/null/x")
    assert bad_out.returncode == 2 and "Traceback" not in bad_out.stderr
    assert bad_out.stderr.strip().splitlines()[-1].startswith("nzsim classroom: error: --out /dev/null/x: cannot be created")

    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "team-x.yaml").write_text("name: [\n")
    nothing = classroom(broken, "--out", tmp_path / "never")
    assert nothing.returncode == 2 and not (tmp_path / "never").exists()


def test_yml_files_run_and_files_left_out_are_named_again_at_the_end(tmp_path):
    """.yml runs (nzsim check reads it); team-x.yaml.txt is named, not silently skipped; a bad
    file and the skipped one are counted and named after the table; a bundle that deletes the
    shared base's summit is warned about."""
    folder = tmp_path / "class"
    folder.mkdir()
    shutil.copytree(CLASS / "base", folder / "base")
    shutil.copy(ROOT / "scenarios" / "vilnius-2023.yaml", tmp_path)
    shutil.copy(CLASS / "team-align.yaml", folder / "team-align.yml")
    shutil.copy(CLASS / "team-hedge.yaml", folder / "team-hedge.yaml.txt")
    (folder / "team-bad.yaml").write_text("name: [\n")
    (folder / "team-no-summit.yaml").write_text(
        "extends: base/class-base.yaml\nname: team-no-summit\ndescription: x\nreferences: [x]\nevents:\n  vilnius: null\n"
    )
    (folder / "notes.txt").write_text("not a scenario")
    result = classroom(folder, "--reps", 4, "--workers", 1, "--out", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    table = result.stdout.split("results in ")[0]
    assert {line.split()[0] for line in table.splitlines() if line.startswith("  team-")} == {"team-align", "team-no-summit"}
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert any("team-hedge.yaml.txt is not run" in w for w in warnings), warnings
    assert any("team-no-summit.yaml removes the NATO summit 'Vilnius' (vilnius)" in w for w in warnings), warnings
    assert not any("notes.txt" in w for w in warnings)
    tail = result.stdout.split("results in ")[1].splitlines()[1:]
    assert tail[0] == "2 files in the folder did not run (not in the table):"
    assert any("team-bad.yaml" in line and "malformed YAML" in line for line in tail[1:])
    assert "  team-hedge.yaml.txt: not a .yaml or .yml file" in tail


def test_a_verdict_the_rounded_table_does_not_show_is_starred():
    import pandas as pd

    from nzsim.teaching.classroom import format_classroom

    same = {"final_interoperability": 0.7571, "exports_lost_nzd_m": 0.0, "trade_coercion": 0.0,
            "mean_approval": 0.5, "trust_mean": 0.8}
    frame = pd.DataFrame([
        {"run": "team-hedge", **same, "on_frontier": True, "dominated_by": ""},
        {"run": "team-deeds", **same, "final_interoperability": 0.7569, "on_frontier": False,
         "dominated_by": "team-hedge"},
        {"run": "team-far", **same, "trust_mean": 0.1, "on_frontier": False, "dominated_by": "team-hedge"},
    ])
    lines = format_classroom(frame, 10, 0).splitlines()
    rows = {line.split()[0]: line for line in lines if line.startswith("  team-")}
    assert "0.757" in rows["team-hedge"] and "0.757" in rows["team-deeds"]  # a tie as printed ...
    assert rows["team-deeds"].endswith("no (beaten by team-hedge) *")  # ... so the verdict is starred
    assert rows["team-hedge"].endswith("yes") and rows["team-far"].endswith("no (beaten by team-hedge)")
    assert lines[-1].startswith("* decided by differences smaller than the digits shown")


def _two_team_class(tmp_path, name):
    """A class of two teams over the shared base, in a folder called ``name``."""
    folder = tmp_path / name
    folder.mkdir()
    shutil.copytree(CLASS / "base", folder / "base")
    shutil.copy(ROOT / "scenarios" / "vilnius-2023.yaml", tmp_path)  # what the shared base extends
    for team in ("team-align.yaml", "team-stay-home.yaml"):
        shutil.copy(CLASS / team, folder / team)
    return folder


def _figure_title(folder, out, monkeypatch):
    """Run `nzsim classroom FOLDER` in this process and return the frontier figure's title."""
    from nzsim.cli import main
    from nzsim.figures import comparing

    titles = []
    save = comparing.save_png

    def keep_title(fig, path):
        titles.append(fig.get_suptitle())
        return save(fig, path)

    monkeypatch.setattr(comparing, "save_png", keep_title)
    assert main(["classroom", str(folder), "--reps", "2", "--workers", "1", "--out", str(out)]) == 0
    assert len(titles) == 1 and (out / "frontier.png").is_file()
    return titles[0]


def test_the_figure_names_the_class_by_its_folder_made_readable(tmp_path, monkeypatch):
    folder = _two_team_class(tmp_path, "year-12_class-b")
    title = _figure_title(folder, tmp_path / "out", monkeypatch)
    assert title == "Year 12 class b: 2 bundles, 2 runs each"


def test_the_figure_names_the_class_by_the_first_line_of_its_readme(tmp_path, monkeypatch):
    folder = _two_team_class(tmp_path, "class-b")
    (folder / "README.md").write_text("\n# Year 12 civics, Te Kura o Ōtaki.\n\nEach team sends its own signals to Vilnius.\n",
                                      encoding="utf-8")
    title = _figure_title(folder, tmp_path / "out", monkeypatch)
    assert title == "Year 12 civics, Te Kura o Ōtaki: 2 bundles, 2 runs each"


def test_the_class_name_of_the_working_folder_and_a_readme_without_words(tmp_path, monkeypatch):
    from nzsim.teaching.classroom import class_name, class_title

    folder = tmp_path / "room_7--term-2"
    folder.mkdir()
    monkeypatch.chdir(folder)
    assert class_name(Path(".")) == "Room 7 term 2"  # `nzsim classroom .`: the folder's own name
    (folder / "readme").write_text("#\n\n...\n")  # no words: the folder's name stays
    assert class_name(folder) == "Room 7 term 2"
    assert class_title(folder, 5, 100) == "Room 7 term 2: 5 bundles, 100 runs each"
    assert "The class in" not in class_title(CLASS, 5, 100) and class_name(CLASS) == "Classroom"
