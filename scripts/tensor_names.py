"""Writes docs/tensor-names.md: every public name of Theano 1.0's
`theano.tensor` (tests/python/data/theano_tensor_names.txt) with its status
in `theon.tensor`. A name theon lacks must appear in PLANNED below with the
reason; tests/python/test_tensor_names.py fails when the page is stale or a
missing name has no reason.

    python scripts/tensor_names.py          # rewrite the page
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMES = os.path.join(ROOT, "tests", "python", "data", "theano_tensor_names.txt")
PAGE = os.path.join(ROOT, "docs", "tensor-names.md")

# (status, reason, names): "not yet" is work that issue 8 (or the issue named)
# brings; "not planned" names are not Theano API a user calls.
PLANNED = [
    ("not planned", "a Python import that leaked into Theano's namespace, not its API",
     "absolute_import division print_function izip xrange partial dedent Iterable hashtype setdefault "
     "builtins numbers int32_t"),
    ("not planned", "Theano's experimental MPI ops (mpi4py, no tests upstream)",
     "MPIRecv MPIRecvWait MPISend MPISendWait irecv isend recv send mpi_cmps mpi_enabled mpi_keys "
     "mpi_send_wait_cmp mpi_send_wait_key mpi_tag_cmp mpi_tag_key"),
    ("not planned", "an implementation detail of Theano's C code or its optimizer",
     "inc_code sparse_module_ref numpy_diagonal_return_view TensorConstantSignature values_eq_approx_always_true "
     "key_to_cmp mod_check constructor default Default makeKeepDims min_informative_str check_equal_numpy "
     "get_scalar_constant_value_elemwises constant_cache adv_index_broadcastable_pattern "
     "check_advanced_indexing_dimensions get_idx_list get_canonical_form_slice SubtensorPrinter "
     "alloc_validate_shape check_and_reject_bool div_proxy ceil_intdiv as_int_none_variable"),
    ("not yet", "Op classes: theon's ops are C++ objects; `isinstance(node.op, T.Elemwise)`-style checks need "
     "Python mirrors of the op classes",
     "ARange AdvancedBooleanIncSubtensor AdvancedBooleanSubtensor AdvancedIncSubtensor AdvancedIncSubtensor1 "
     "AdvancedSubtensor AdvancedSubtensor1 Alloc AllocDiag AllocEmpty Argmax BaseAdvancedIncSubtensor "
     "BaseAdvancedSubtensor CAReduce Choose DiffOp DimShuffle Dot Elemwise ExtractDiag Eye Flatten IncSubtensor "
     "Join MakeSlice MaxAndArgmax Mean Nonzero PermuteRowElements Rebroadcast Reshape ScalarFromTensor Shape "
     "SpecifyShape Split Subtensor Sum TensorFromScalar Tile Tri Op Type Constant Generic Tensor SliceType "
     "NoneTypeT DisconnectedType SliceConstant"),
    ("not yet", "Theano's exception classes (theon raises TypeError/ValueError/IndexError with the same messages)",
     "AdvancedBooleanIndexingError AdvancedIndexingError AsTensorError EmptyConstantError MethodNotDefined "
     "NotScalarConstantError ShapeError"),
    ("not yet", "GPU transfer and disk I/O come with the device and io issues",
     "transfer register_transfer LoadFromDisk load"),
    ("not yet", "issue 8: special functions and complex numbers need scalar-table rows",
     "angle complex complex_from_polar conj real imag erfcinv erfcx erfinv gammainc gammaincc gammal gammau "
     "chi2sf i0 i1 iv j0 j1 jv"),
    ("not yet", "issue 8: the remaining indexing forms",
     "advanced_boolean_inc_subtensor advanced_boolean_set_subtensor advanced_boolean_subtensor "
     "advanced_inc_subtensor advanced_inc_subtensor1 advanced_set_subtensor advanced_set_subtensor1 "
     "advanced_subtensor advanced_subtensor1 take nonzero flatnonzero nonzero_values as_index_variable "
     "make_slice slicetype inverse_permutation permute_row_elements ravel_multi_index unravel_index "
     "fill_diagonal fill_diagonal_offset diag diagonal"),
    ("not yet", "issue 8: sorting, scans and construction ops still to write",
     "sort argsort topk argtopk topk_and_argtopk cumsum cumprod repeat roll tile split bincount bartlett "
     "choose cov batched_dot batched_tensordot mgrid ogrid"),
    ("not yet", "issue 8: needs broadcast-pattern and static-shape ops (Rebroadcast, SpecifyShape)",
     "addbroadcast unbroadcast patternbroadcast specify_shape squeeze tensor_copy"),
    ("not yet", "issue 8: helpers of Theano's graph and scalar layers",
     "NoneConst ParamsType none_type_t int32 integer_types extract_constant get_scalar_constant_value "
     "get_vector_length check_and_normalize_axes pprint is_flat join_ divmod make_constant numpy_scalar "
     "scalar_from_tensor tensor_from_scalar"),
]


def theano_names():
    with open(NAMES) as f:
        return [line.strip() for line in f if line.strip()]


def planned():
    table = {}
    for status, reason, names in PLANNED:
        for n in names.split():
            table[n] = (status, reason)
    return table


def render(have):
    table = planned()
    rows, missing = [], []
    for n in theano_names():
        if n in have:
            rows.append((n, "yes", ""))
        elif n in table:
            rows.append((n,) + table[n])
        else:
            missing.append(n)
    done = sum(1 for r in rows if r[1] == "yes")
    out = ["# Theano 1.0's `theano.tensor` names in `theon.tensor`", "",
           "Generated by `python scripts/tensor_names.py` from the list of public names of Theano 1.0.5's",
           "`theano.tensor` (`tests/python/data/theano_tensor_names.txt`); `tests/python/test_tensor_names.py`",
           "fails when a name is missing from `theon.tensor` without a row here that says why, or when this page",
           "is out of date.", "",
           "%d of %d names are available; %d are not yet, %d are not planned." % (
               done, len(rows), sum(1 for r in rows if r[1] == "not yet"),
               sum(1 for r in rows if r[1] == "not planned")), "",
           "| name | status | reason |", "|---|---|---|"]
    out += ["| `%s` | %s | %s |" % r for r in rows]
    return "\n".join(out) + "\n", missing


def main():
    import theon.tensor as T
    text, missing = render(set(dir(T)))
    if missing:
        sys.exit("no status for: %s (add them to PLANNED with a reason)" % " ".join(missing))
    with open(PAGE, "w") as f:
        f.write(text)
    print("wrote", PAGE)


if __name__ == "__main__":
    main()
