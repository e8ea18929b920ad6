"""theon.printing: pprint as one line of math with only the needed
parentheses; debugprint as Theano's indented tree with shared ids."""
import io

import theon
import theon.tensor as T


def test_pprint_precedence_and_associativity():
    x, y = T.matrix("x"), T.vector("y")
    assert theon.pprint(T.exp(x) + y * 2 - (x ** 2) / 3) == "exp(x) + y * 2 - x ** 2 / 3"
    assert theon.pprint((x - y) - (x - (y + 1)) * 2) == "x - y - (x - (y + 1)) * 2"
    assert theon.pprint(x ** (y ** 2)) == "x ** y ** 2" and theon.pprint((x ** y) ** 2) == "(x ** y) ** 2"
    assert theon.pprint(-(x + 1)) == "-(x + 1)" and T.pprint(x.T) == "x.dimshuffle(1,0)"
    assert theon.pprint(T.sum(x, axis=0)) == "Sum{axis=[0]}(x)"
    assert theon.pprint([x + 1, y]) == "x + 1\ny"


def test_debugprint_tree_with_shared_ids():
    x = T.matrix("x")
    e = T.exp(x) * x
    text = theon.debugprint(e, file="str")
    assert text.splitlines() == ["Elemwise{mul} [id A]", " |Elemwise{exp} [id B]", " | |x [id C]", " |x [id C]"]
    buf = io.StringIO()
    assert theon.printing.debugprint([e, T.exp(x)], file=buf, print_type=True) is buf
    assert "TensorType(float64, matrix)" in buf.getvalue()


def test_debugprint_of_a_compiled_function_shows_its_optimized_graph():
    x = T.matrix("x")
    f = theon.function([x], [T.exp(x) * 2 + 1, T.sum(T.exp(x) * 2 + 1)])
    text = theon.debugprint(f, file="str")
    lines = text.splitlines()
    assert lines[0].startswith("Composite{") and lines[0].endswith("[id A]")
    # the second output reads the first: its node is shown with the same id, not expanded again
    assert any(line.startswith(" |Composite{") and line.endswith("[id A]") for line in lines[1:])
    assert theon.debugprint(f, file="str", ids="").count("[id") == 0
