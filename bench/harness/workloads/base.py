"""What a workload is: inputs, the NumPy reference, one builder per API
family, and the floor computed from K0. A builder returns a zero-argument
callable; a workload without a builder for some API is n/a for that
contestant."""


class Workload(object):
    id = ""
    title = ""
    dtype = "float32"
    first_call = False  # compile workload: build + first call timed in child processes, no steady state
    memory = False  # also measure the peak-RSS delta of build + first call in a child process
    min_calls = 30  # steady state: at least this many timed calls (and 0.3 s)
    warmup = 3  # untimed calls before the steady state

    def dtype_of(self, size):
        return self.dtype

    def inputs(self, size, rng):
        raise NotImplementedError

    def reference(self, inp):
        raise NotImplementedError

    def floor(self, size, k0, threads):
        """(seconds, which limit binds) or None when no floor applies."""
        return None

    def check(self, out, ref, dtype):
        """None if the first call's result `out` is right, else a short reason
        (by default: it matches the NumPy reference)."""
        from ..measure import check
        return check(out, ref, dtype)

    def extra(self, size, row):
        """Workload-specific figures for the report (a dict), from a finished row."""
        return {}

    def build(self, api, mod, inp):
        fn = getattr(self, "build_" + api, None)
        return None if fn is None else fn(mod, inp)


def nbytes(*arrays):
    return sum(a.nbytes for a in arrays)


def mem_floor(nbytes_, k0, kind="copy"):
    """Memory floor: compulsory bytes over the STREAM bandwidth of this run."""
    return nbytes_ / (k0["stream_%s_GBs" % kind] * 1e9)


def jax_jit(jax, f, inp):
    """jit `f`, put the inputs on the device, and sync on the result."""
    jf = jax.jit(f)
    args = [jax.device_put(x) for x in inp]
    return lambda: jax.block_until_ready(jf(*args))
