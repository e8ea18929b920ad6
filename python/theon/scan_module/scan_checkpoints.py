"""scan_checkpoints: scan that keeps the states of every N-th step only and
recomputes the others when differentiating (gradient checkpointing)."""
from .. import tensor as T
from .scan import scan


def scan_checkpoints(fn, sequences=(), outputs_info=None, non_sequences=(), name="checkpointscan_fn", n_steps=None,
                     save_every_N=10, padding=True):
    """Theano's scan_checkpoints: a scan over blocks of `save_every_N` steps,
    each block a scan of its own.

    The outer loop keeps one state per block; backpropagation recomputes a
    block's steps from it, so memory grows with the number of blocks, not
    steps. Taps are not supported (as in Theano).

    Parameters
    ----------
    fn, sequences, outputs_info, non_sequences, n_steps
        As for scan.
    name : str, optional
    save_every_N : int, optional
        Steps per block.
    padding : bool, optional
        Pad the sequences with zeros to a multiple of save_every_N (always
        done when needed; accepted for Theano's signature).

    Returns
    -------
    (outputs, updates)
        The outputs after each block's last step.
    """
    seqs = list(sequences) if isinstance(sequences, (list, tuple)) else [sequences]
    outs_info = list(outputs_info) if isinstance(outputs_info, (list, tuple)) else [outputs_info]
    non_seqs = list(non_sequences) if isinstance(non_sequences, (list, tuple)) else [non_sequences]
    for element in outs_info:
        if isinstance(element, dict) and "taps" in element:
            raise RuntimeError("scan_checkpoints doesn't work with taps.")
    if save_every_N < 1:
        raise ValueError("scan_checkpoints: save_every_N must be at least 1, got %r" % (save_every_N,))
    seqs = [T.as_tensor_variable(s) for s in seqs]
    if n_steps is None:
        if not seqs:
            raise ValueError("scan_checkpoints: without sequences, n_steps must be given")
        n_steps = T.shape(seqs[0])[0]
    n_steps = T.cast(T.as_tensor_variable(n_steps), "int64")
    N = int(save_every_N)
    n_blocks = (n_steps + (N - 1)) // N
    steps = T.set_subtensor(T.alloc(T.constant(N, dtype="int64"), n_blocks)[-1], n_steps - N * (n_blocks - 1))
    blocks = []
    for s in seqs:
        s = s[:n_steps]
        pad = n_blocks * N - n_steps
        padded = T.join(0, s, T.zeros(T.join(0, T.stack([pad]), T.shape(s)[1:]), dtype=s.dtype))
        blocks.append(T.reshape(padded, T.join(0, T.stack([n_blocks, T.constant(N, dtype="int64")]), T.shape(s)[1:]),
                                ndim=s.ndim + 1))
    n_seq, n_non = len(blocks), len(non_seqs)
    n_nit = sum(1 for i in outs_info if i is None)

    def outer_step(*args):
        block = list(args[:n_seq])
        n_in = args[n_seq]
        prev = list(args[n_seq + 1:len(args) - n_non])
        nons = list(args[len(args) - n_non:])
        results, updates = scan(fn, sequences=block, outputs_info=prev + [None] * n_nit, non_sequences=nons,
                                n_steps=n_in, name=name + "_inner", return_list=True)
        return [r[-1] for r in results], updates

    return scan(outer_step, sequences=blocks + [steps], outputs_info=outs_info, non_sequences=non_seqs,
                name=name + "_outer")
