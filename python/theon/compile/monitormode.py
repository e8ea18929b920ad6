"""theano.compile.monitormode: MonitorMode, a mode that calls user functions
before and after every node of the compiled graph as it runs."""
from .mode import Mode


class _Storage(object):
    """What a MonitorMode hook gets as `fn`: Theano's thunk storage, one
    single-item list per input (fn.inputs) and per output (fn.outputs; None
    before the node ran)."""

    def __init__(self, inputs, outputs):
        self.inputs = [[a] for a in inputs]
        self.outputs = [[a] for a in outputs]


class MonitorMode(Mode):
    """A Mode (Theano's MonitorMode): ``pre_func(i, node, fn)`` runs before
    the i-th node of the compiled graph and ``post_func(i, node, fn)`` after
    it, where ``fn.inputs[k][0]`` and ``fn.outputs[k][0]`` are the node's
    values (NumPy arrays; do not write into them). The hooks see the graph as
    rewritten: ``MonitorMode(...).excluding('fusion')`` keeps elementwise
    steps apart. An exception raised by a hook fails the call, and then no
    shared variable changes."""

    def __init__(self, pre_func=None, post_func=None, optimizer="default", linker=None):
        for what, f in (("pre_func", pre_func), ("post_func", post_func)):
            if f is not None and not callable(f):
                raise TypeError("MonitorMode: %s must be a function (i, node, fn) or None, got %r" % (what, f))
        super().__init__(linker=linker, optimizer=optimizer)
        self.pre_func = pre_func
        self.post_func = post_func

    def _attach(self, fn, compile_graph, outputs, updates):
        pre, post = self.pre_func, self.post_func
        if pre is None and post is None:
            return False

        def hook(index, node, inputs, outs, interpreted):
            if outs is None:
                if pre is not None:
                    pre(index, node, _Storage(inputs, [None] * len(node.outputs)))
            elif post is not None:
                post(index, node, _Storage(inputs, outs))
        fn._fn.set_step_hook(hook)
        return False

    def __repr__(self):
        return "MonitorMode(pre_func=%r, post_func=%r, optimizer=%r)" % (self.pre_func, self.post_func,
                                                                        self.optimizer)
