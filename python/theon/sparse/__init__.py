"""theano.sparse: theon has no sparse tensors yet, so sparse support is
disabled, as Theano's was where SciPy could not be imported: code that
checks ``theano.sparse.enable_sparse`` takes its dense path, and making a
SparseType says why it cannot."""

enable_sparse = False


class SparseType(object):
    """Theano's sparse tensor type: not available in theon."""

    format_cls = {}

    def __init__(self, *args, **kwargs):
        raise NotImplementedError("theano.sparse.SparseType: theon has no sparse tensors (enable_sparse is False); "
                                  "use dense tensors")
