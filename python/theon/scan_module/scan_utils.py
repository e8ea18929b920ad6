"""map, reduce, foldl and foldr: Theano's loops built on scan."""
from .scan import scan


def map(fn, sequences, non_sequences=None, truncate_gradient=-1, go_backwards=False, mode=None, name=None):
    """Apply fn to each row of the sequences (scan without fed-back outputs).

    Parameters
    ----------
    fn : callable
    sequences : variable or list
    non_sequences : list, optional
    truncate_gradient, go_backwards, mode, name : optional
        As for scan.

    Returns
    -------
    (outputs, updates)
    """
    return scan(fn, sequences=sequences, outputs_info=None, non_sequences=non_sequences,
                truncate_gradient=truncate_gradient, go_backwards=go_backwards, mode=mode, name=name or "map")


def reduce(fn, sequences, outputs_info, non_sequences=None, go_backwards=False, mode=None, name=None):
    """The last step of a scan: fold the sequences into the outputs.

    Parameters
    ----------
    fn : callable
    sequences : variable or list
    outputs_info : initial values
    non_sequences : list, optional
    go_backwards, mode, name : optional

    Returns
    -------
    (outputs, updates)
        Each output's value after the last step.
    """
    rval, updates = scan(fn, sequences=sequences, outputs_info=outputs_info, non_sequences=non_sequences,
                         go_backwards=go_backwards, mode=mode, name=name or "reduce", return_list=True)
    last = [r[-1] for r in rval]
    return (last[0] if len(last) == 1 else last), updates


def foldl(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """reduce from the first row to the last.

    Parameters
    ----------
    fn, sequences, outputs_info, non_sequences, mode, name
        As for reduce.

    Returns
    -------
    (outputs, updates)
    """
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=False, mode=mode, name=name or "foldl")


def foldr(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """reduce from the last row to the first.

    Parameters
    ----------
    fn, sequences, outputs_info, non_sequences, mode, name
        As for reduce.

    Returns
    -------
    (outputs, updates)
    """
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=True, mode=mode, name=name or "foldr")
