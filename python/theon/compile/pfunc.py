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
