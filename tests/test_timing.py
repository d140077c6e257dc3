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
