"""theon.d3viz (Theano's theano.d3viz): an interactive HTML page of a graph.

``d3viz(f, "graph.html")`` writes one self-contained page (no network, no
JavaScript library: an SVG drawn by a few lines of plain JavaScript from
node coordinates laid out in Python) where the graph can be zoomed (mouse
wheel) and panned (drag), and a click or hover on a node shows its op, the
types, dtypes and static shapes of its inputs and outputs and, for a
function compiled with ``profile=True`` that has been called, its time.
``d3write(f, "graph.dot")`` writes the graph as Graphviz DOT text.
"""
from .d3viz import d3viz, d3write, layout  # noqa: F401

__all__ = ["d3viz", "d3write"]
