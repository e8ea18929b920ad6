"""theon.printing: pprint as one line of math with only the needed
parentheses; debugprint as Theano's indented tree with shared ids;
pydotprint through pydot and Graphviz (optional); print(theon.config)."""
import io
import shutil
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import theon
import theon.tensor as T
from theon import printing

needs_pydot = pytest.mark.skipif(not printing.pydot_imported,
                                 reason="pydot and Graphviz are not installed (pip install pydot; "
                                        "apt-get install graphviz)")


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
    assert text.splitlines() == ["Elemwise{mul,no_inplace} [id A] ''   ", " |Elemwise{exp,no_inplace} [id B] ''   ",
                                 " | |x [id C]", " |x [id C]"]
    buf = io.StringIO()
    assert theon.printing.debugprint([e, T.exp(x)], file=buf, print_type=True) is buf
    assert "TensorType(float64, matrix)" in buf.getvalue()


def test_debugprint_of_a_compiled_function_shows_its_optimized_graph():
    x = T.matrix("x")
    f = theon.function([x], [T.exp(x) * 2 + 1, T.sum(T.exp(x) * 2 + 1)])
    text = theon.debugprint(f, file="str")
    lines = text.splitlines()
    # a compiled function's lines end with the node's position in the run order
    assert lines[0].startswith("Composite{") and lines[0].endswith("[id A] ''   0")
    # the second output reads the first: its node is shown with the same id, not expanded again
    assert any(line.startswith(" |Composite{") and line.endswith("[id A] ''   0") for line in lines[1:])
    assert theon.debugprint(f, file="str", ids="").count("[id") == 0


def _abcde():
    A, B, D, E = (T.matrix(name=n) for n in "ABDE")
    C = A + B
    C.name = "C"
    return A, B, D, E, C + (D + E)


def test_debugprint_theano_format_ids_and_stop_on_name():
    *_, G = _abcde()
    assert theon.debugprint(G, file="str", ids="int") == "\n".join([
        "Elemwise{add,no_inplace} [id 0] ''   ", " |Elemwise{add,no_inplace} [id 1] 'C'   ", " | |A [id 2]",
        " | |B [id 3]", " |Elemwise{add,no_inplace} [id 4] ''   ", "   |D [id 5]", "   |E [id 6]"]) + "\n"
    assert theon.debugprint(G, file="str", stop_on_name=True).splitlines() == [
        "Elemwise{add,no_inplace} [id A] ''   ", " |Elemwise{add,no_inplace} [id B] 'C'   ",
        " |Elemwise{add,no_inplace} [id C] ''   ", "   |D [id D]", "   |E [id E]"]
    assert theon.debugprint(G, file="str", ids="").splitlines()[2] == " | |A "
    assert theon.debugprint(G, file="str", depth=1).splitlines() == ["Elemwise{add,no_inplace} [id A] ''   "]


def test_debugprint_clients_as_theano():
    A, B, D, _, _ = _abcde()
    f = theon.function([A, B, D], [A + B, A + B - D], mode="FAST_COMPILE")
    assert theon.debugprint(f, file="str", print_clients=True).splitlines() == [
        "Elemwise{add,no_inplace} [id A] ''   0 clients:[('output', ''), ('[id C]', 1)]",
        " |A [id D]", " |B [id E]", "Elemwise{sub,no_inplace} [id C] ''   1",
        " |Elemwise{add,no_inplace} [id A] ''   0 clients:[('output', ''), ('[id C]', 1)]", " |D [id F]"]


def test_debugprint_shows_update_outputs_after_the_outputs_as_theano():
    # Theano 1.0.5 prints a function's updates as further outputs of its
    # graph, after the function's own outputs, with no label of their own.
    x = T.dvector("x")
    s = theon.shared(np.zeros(3), name="s")
    f = theon.function([x], x * 2, updates=[(s, s + x)])
    lines = theon.debugprint(f, file="str").splitlines()
    tops = [line for line in lines if not line.startswith(" ")]
    assert len(tops) == 2 and tops[0].startswith("Elemwise{mul") and tops[1].startswith("Elemwise{add}[(0, 0)]")
    assert " |s [id " in "\n".join(lines)


def test_debugprint_of_a_profiled_function_shows_times():
    x = T.dvector("x")
    f = theon.function([x], T.exp(x) * 2, profile=True)
    assert "Timing Info" not in theon.debugprint(f, file="str")
    f(np.ones(3))
    text = theon.debugprint(f, file="str")
    top = [line for line in text.splitlines() if line.startswith("Composite{")]
    assert "Timing Info" in text and len(top) == 1 and " --> " in top[0] and top[0].endswith("%")


def test_min_informative_str_and_var_descriptor():
    *_, G = _abcde()
    assert printing.min_informative_str(G) == "\n".join([
        "A. Elemwise{add,no_inplace}", " B. C", " C. Elemwise{add,no_inplace}", "  D. D", "  E. E"])
    x = T.dvector("x")
    assert printing.var_descriptor(x + x) == "A=Elemwise{add,no_inplace}(B=x,<B>)"


def test_config_prints_every_flag_with_doc_and_value():
    text = str(theon.config)
    blocks = text.strip("\n").split("\n\n")
    assert len(blocks) == len(dir(theon.config))
    assert blocks[0].splitlines() == ["floatX (('float64', 'float32', 'float16')) ",
                                      "    Doc:  default float dtype of constructors and constants",
                                      "    Value:  %s" % theon.config.floatX]
    with theon.change_flags(floatX="float32"):
        assert "    Value:  float32" in str(theon.config).split("\n\n")[0]
    assert any(b.startswith("warn.round (<class 'bool'>) ") for b in blocks)
    assert "Doc:" not in theon.config.__str__(print_doc=False)


def _small_function():
    x = T.dvector("x")
    y = T.exp(x) * 2
    y.name = "y"
    return x, theon.function([x], [y, y.sum()])


def test_missing_pydot_gives_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    monkeypatch.setitem(sys.modules, "pydot_ng", None)
    monkeypatch.setattr(printing, "_PYDOT", None)
    assert printing.pydot_imported is False and "pip install pydot" in printing.pydot_imported_msg
    x, f = _small_function()
    with pytest.raises(ImportError, match=r"pip install pydot.*apt-get install graphviz"):
        printing.pydotprint(f, outfile="unused.png", print_output_file=False)
    monkeypatch.setattr(printing, "_PYDOT", None)  # found again after the test


def test_missing_graphviz_gives_a_clear_error(monkeypatch):
    pydot = pytest.importorskip("pydot")

    def no_dot(*a, **k):
        raise FileNotFoundError("dot not found in path")
    monkeypatch.setattr(pydot.Dot, "create", no_dot)
    monkeypatch.setattr(printing, "_PYDOT", None)
    assert not printing.pydot_imported and "graphviz" in printing.pydot_imported_msg.lower()
    with pytest.raises(ImportError, match="apt-get install graphviz"):
        printing.pydotprint(T.dvector() * 2, print_output_file=False, return_image=True)
    monkeypatch.setattr(printing, "_PYDOT", None)


@needs_pydot
def test_pydotprint_writes_png_and_svg_with_the_labels(tmp_path, capsys):
    x, f = _small_function()
    png = tmp_path / "g.png"
    printing.pydotprint(f, outfile=str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "The output file is available at %s" % png in capsys.readouterr().out
    printing.pydotprint(f, outfile=str(tmp_path / "g"), format="svg", print_output_file=False)
    root = ET.parse(str(tmp_path / "g.svg")).getroot()
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "name=x TensorType(float64, vector)" in texts
    assert any(t.startswith("Composite{") or t.startswith("Elemwise{") for t in texts)
    assert any(t.startswith("Sum{") for t in texts)
    img = printing.pydotprint(x * 2, return_image=True, format="svg")
    assert isinstance(img, bytes) and b"<svg" in img


@needs_pydot
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's dot parser on new pyparsing
def test_pydotprint_dot_nodes_and_edges(tmp_path):
    x, y = T.dvector("x"), T.dvector("y")
    z = T.exp(x) + y
    z.name = "z"
    out = tmp_path / "g.dot"
    printing.pydotprint(z, outfile=str(out), format="dot", print_output_file=False)
    import pydot
    (g,) = pydot.graph_from_dot_file(str(out))
    labels = {n.get_name(): (n.get_label() or "").strip('"') for n in g.get_nodes()}
    by_label = {v: k for k, v in labels.items()}
    exp, add = by_label["Elemwise{exp,no_inplace}"], by_label["Elemwise{add,no_inplace}"]
    xs, ys, zs = (by_label["name=%s TensorType(float64, vector)" % n] for n in "xyz")
    edges = {(e.get_source(), e.get_destination()): (e.get_label() or "").strip('"') for e in g.get_edges()}
    # exp's unnamed output is an edge labelled with its position and type (compact)
    assert edges == {(xs, exp): "", (exp, add): "0 TensorType(float64, vector)", (ys, add): "1", (add, zs): ""}


@needs_pydot
def test_pydotprint_updates_profile_long_names_scan_and_cond_highlight(tmp_path, caplog):
    x = T.dvector("x")
    s = theon.shared(np.zeros(3), name="s")
    f = theon.function([x], x * 2, updates=[(s, s + x)], profile=True)
    dot = printing.pydotprint(f, return_image=True, format="canon").decode()
    assert "UPDATE" in dot and "s TensorType(float64, vector)" in dot
    f(np.ones(3))
    assert "%)" in printing.pydotprint(f, return_image=True, format="canon").decode()  # node times
    printing.pydotprint([x * 2, x + x], max_label_size=5, outfile=str(tmp_path / "short.png"),
                        print_output_file=False)
    with caplog.at_level("WARNING", logger="theano.printing"):
        printing.pydotprint(f, cond_highlight=True, outfile=str(tmp_path / "c.png"), print_output_file=False)
    assert "cond_highlight is set but there is no IfElse node" in caplog.text
    state, n = T.scalar("state"), T.iscalar("n")
    out, upd = theon.scan(lambda v: 2 * v, outputs_info=state, n_steps=n)
    g = theon.function([state, n], out, updates=upd)
    printing.pydotprint(g, outfile=str(tmp_path / "scan.png"), scan_graphs=True, print_output_file=False)
    assert len(list(tmp_path.glob("scan_*.png"))) == 1


@needs_pydot
def test_pydotprint_default_file_in_compiledir(tmp_path):
    with theon.change_flags(compiledir=str(tmp_path)):
        printing.pydotprint(T.dvector() * 2, print_output_file=False)
    assert (tmp_path / "theano.pydotprint.cpu.png").exists()


def test_pydot_flags_reachable_under_theano_alias():
    import importlib
    from theon import _theano_alias
    _theano_alias.install()
    mod = importlib.import_module("theano.printing")
    assert mod is printing and mod.pydot_imported == bool(shutil.which("dot") and printing._find_pydot()[0])
    assert callable(mod.pydotprint)


def test_debugprint_labels_the_update_outputs_of_a_function():
    x = T.dvector("x")
    w = theon.shared(np.ones(2), name="w")
    acc = theon.shared(np.zeros(2), name="acc")
    f = theon.function([x], (x * w).sum(), updates=[(w, w - x), (acc, acc + x * 2)])
    lines = theon.printing.debugprint(f, file="str").splitlines()
    labelled = [ln for ln in lines if "-> update of" in ln]
    assert [ln.rsplit(" ", 1)[-1] for ln in labelled] == ["w", "acc"], lines
    assert "-> update" not in lines[0]  # the function's own output


def test_pp_writes_indexing_as_it_was_written():
    x = T.dvector()
    assert theon.pp(x[1]) == "<TensorType(float64, vector)>[Constant{1}]"  # Theano's text
    m, i = T.dmatrix("m"), T.lscalar("i")
    assert theon.pp(m[1:i, ::2]) == "m[Constant{1}:i, ::Constant{2}]"
    assert theon.pp(m[i]) == "m[i]"
    assert theon.pp((m + 1)[::-1]) == "(m + 1)[::Constant{-1}]"
    assert theon.pp(m[:, T.constant(np.array([0, 1]))]) == "m[:, TensorConstant{[0, 1]}]"
