"""theano.compile.pfunc: pfunc, the function constructor over In params."""
from .function import function


def pfunc(params, outputs=None, mode=None, updates=None, givens=None, no_default_updates=False,
          accept_inplace=False, name=None, rebuild_strict=True, allow_input_downcast=None, profile=None,
          on_unused_input=None, output_keys=None):
    """function() under its older name: `params` are variables or In()s."""
    if outputs is None:
        outputs = []
    return function(params, outputs, mode=mode, updates=updates or [], givens=givens or [],
                    no_default_updates=no_default_updates, accept_inplace=accept_inplace, name=name,
                    rebuild_strict=rebuild_strict, allow_input_downcast=allow_input_downcast, profile=profile,
                    on_unused_input=on_unused_input)


def rebuild_collect_shared(outputs, inputs=None, replace=None, updates=None, rebuild_strict=True,
                           copy_inputs_over=True, no_default_updates=False):
    """Theano's helper of pfunc: the graph of `outputs` rebuilt with `replace`
    applied (and fresh copies of the inputs unless copy_inputs_over), with the
    shared variables it reads.

    Parameters
    ----------
    outputs : variable or list of variables
    inputs : list of variables, optional
    replace : dict or list of pairs, optional
        Variables to substitute, old -> new.
    updates : dict or list of pairs, optional
        Shared-variable updates, rebuilt the same way.
    rebuild_strict, no_default_updates : optional
        Accepted for Theano's signature.
    copy_inputs_over : bool, optional
        Keep the inputs themselves (True) or use fresh copies.

    Returns
    -------
    (inputs, outputs, [clone_d, update_d, update_expr, shared_inputs])
    """
    from .. import _core
    from ..tensor import basic as B
    from .sharedvalue import SharedVariable
    from ..gof.graph import inputs as graph_inputs
    single = not isinstance(outputs, (list, tuple))
    outs = [B.as_tensor_variable(o) for o in ([outputs] if single else outputs)]
    inputs = list(inputs or [])
    pairs = list(dict(replace).items()) if replace else []
    upd = list(dict(updates).items()) if updates else []
    new_inputs = inputs if copy_inputs_over else [i.type(i.name) if not isinstance(i, SharedVariable) else i
                                                  for i in inputs]
    pairs += [(i, n) for i, n in zip(inputs, new_inputs) if i is not n]
    cloned = list(_core.clone_replace(outs + [e for _, e in upd], pairs)) if (outs or upd) else []
    new_outs, new_upd = cloned[:len(outs)], list(zip([s for s, _ in upd], cloned[len(outs):]))
    clone_d = dict(zip(outs, new_outs))
    shared_inputs = [v for v in graph_inputs(new_outs + [e for _, e in new_upd]) if isinstance(v, SharedVariable)]
    return (new_inputs, new_outs[0] if single else new_outs,
            [clone_d, dict(new_upd), [e for _, e in new_upd], shared_inputs])
