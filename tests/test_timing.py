import time

from fastbow.training.timing import PHASES, PhaseTimer, percentages


def test_phases_tile_the_wall_time():
    t = PhaseTimer("cpu")
    t.start()
    time.sleep(0.02); t.mark("data")
    time.sleep(0.01); t.mark("forward")
    time.sleep(0.02); t.mark("data")
    s = t.stop()
    assert set(PHASES) <= set(s)
    assert s["data"] >= 0.04 and s["forward"] >= 0.01 and s["backward"] == 0.0
    parts = sum(v for k, v in s.items() if k != "total")
    assert abs(parts - s["total"]) <= 0.05 * s["total"]
    assert abs(sum(percentages(s).values()) - 100) < 5


# a sleep never ends early but may end late on a loaded machine; seconds read as ms would be 1000x off
SLACK = 0.25


def test_each_mark_charges_the_time_since_the_previous_one_to_its_own_name():
    t = PhaseTimer("cpu")
    t.start()
    time.sleep(0.05); t.mark("optimizer")      # the first interval runs from start()
    t.mark("transfer")                         # an empty interval
    time.sleep(0.02); t.mark("backward")
    time.sleep(0.03); t.mark("custom")         # names outside PHASES are kept
    s = t.stop()
    assert 0.05 <= s["optimizer"] < 0.05 + SLACK
    assert 0.0 <= s["transfer"] < 0.04              # less than any sleep
    assert 0.02 <= s["backward"] < 0.02 + SLACK
    assert 0.03 <= s["custom"] < 0.03 + SLACK
    assert s["data"] == 0.0 and s["forward"] == 0.0
    assert s["total"] >= s["optimizer"] + s["transfer"] + s["backward"] + s["custom"]
    assert list(s)[:len(PHASES)] == list(PHASES) and list(s)[-1] == "total"


def test_start_resets_the_marks_and_stop_reports_seconds_not_ms():
    t = PhaseTimer("cpu")
    t.start(); time.sleep(0.03); t.mark("data")
    t.start(); time.sleep(0.01); t.mark("forward")     # a second interval forgets the first
    s = t.stop()
    assert s["data"] == 0.0 and 0.01 <= s["forward"] < 0.01 + SLACK and s["total"] < 0.01 + SLACK


def test_percentages_of_total():
    s = dict.fromkeys(PHASES, 0.0) | {"data": 0.3, "forward": 0.1, "total": 0.5}
    p = percentages(s)
    assert p == {"data": 60.0, "transfer": 0.0, "forward": 20.0, "backward": 0.0, "optimizer": 0.0}
    assert percentages(dict.fromkeys(PHASES, 0.0) | {"total": 0.0})["data"] == 0.0   # no division by zero
