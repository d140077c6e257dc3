from fastbow.models.mlp import OneHotMLP
from fastbow.reporting.summary import format_parameter_table, layer_rows


def test_parameter_table_for_the_notebook_model():
    rows = layer_rows(OneHotMLP(20_001, 200, 1))
    assert rows == [("fc1", "weight", "(200, 20001)", 4_000_200), ("fc1", "bias", "(200,)", 200),
                    ("fc1", "total", "", 4_000_400), ("fc2", "weight", "(1, 200)", 200), ("fc2", "bias", "(1,)", 1),
                    ("fc2", "total", "", 201), ("total", "", "", 4_000_601)]
    text = format_parameter_table(OneHotMLP(20_001, 200, 1))
    assert text.splitlines()[0].split() == ["layer", "parameter", "shape", "count"]
    assert text.splitlines()[-1].split() == ["total", "4,000,601"]
