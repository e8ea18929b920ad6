"""The deep learning tutorials' scan code, as the tutorials write it (rbm.py's
k-step Gibbs chains and persistent CD, hmc.py's leapfrog integrator and
sampler, rnnslu's Elman network, lstm.py's masked LSTM layer): each runs
unchanged and does what the tutorial expects of it."""
import numpy
import pytest

import theon as theano
import theon.tensor as T
from theon.sandbox.rng_mrg import MRG_RandomStreams
from theon.tensor.shared_randomstreams import RandomStreams

tensor = T


def _digits_binary():
    from sklearn.datasets import load_digits
    d = load_digits().data[:400] / 16.0
    return (d > 0.5).astype(theano.config.floatX)


# ---- rbm.py ----

class RBM(object):
    def __init__(self, input, n_visible=64, n_hidden=16, numpy_rng=None, theano_rng=None):
        self.W = theano.shared(numpy.asarray(numpy_rng.uniform(-0.1, 0.1, (n_visible, n_hidden)),
                                             dtype=theano.config.floatX), name='W', borrow=True)
        self.hbias = theano.shared(numpy.zeros(n_hidden, dtype=theano.config.floatX), name='hbias', borrow=True)
        self.vbias = theano.shared(numpy.zeros(n_visible, dtype=theano.config.floatX), name='vbias', borrow=True)
        self.input = input
        self.theano_rng = theano_rng
        self.params = [self.W, self.hbias, self.vbias]

    def free_energy(self, v_sample):
        wx_b = T.dot(v_sample, self.W) + self.hbias
        vbias_term = T.dot(v_sample, self.vbias)
        hidden_term = T.sum(T.log(1 + T.exp(wx_b)), axis=1)
        return -hidden_term - vbias_term

    def propup(self, vis):
        pre_sigmoid_activation = T.dot(vis, self.W) + self.hbias
        return [pre_sigmoid_activation, T.nnet.sigmoid(pre_sigmoid_activation)]

    def sample_h_given_v(self, v0_sample):
        pre_sigmoid_h1, h1_mean = self.propup(v0_sample)
        h1_sample = self.theano_rng.binomial(size=h1_mean.shape, n=1, p=h1_mean, dtype=theano.config.floatX)
        return [pre_sigmoid_h1, h1_mean, h1_sample]

    def propdown(self, hid):
        pre_sigmoid_activation = T.dot(hid, self.W.T) + self.vbias
        return [pre_sigmoid_activation, T.nnet.sigmoid(pre_sigmoid_activation)]

    def sample_v_given_h(self, h0_sample):
        pre_sigmoid_v1, v1_mean = self.propdown(h0_sample)
        v1_sample = self.theano_rng.binomial(size=v1_mean.shape, n=1, p=v1_mean, dtype=theano.config.floatX)
        return [pre_sigmoid_v1, v1_mean, v1_sample]

    def gibbs_hvh(self, h0_sample):
        pre_sigmoid_v1, v1_mean, v1_sample = self.sample_v_given_h(h0_sample)
        pre_sigmoid_h1, h1_mean, h1_sample = self.sample_h_given_v(v1_sample)
        return [pre_sigmoid_v1, v1_mean, v1_sample, pre_sigmoid_h1, h1_mean, h1_sample]

    def gibbs_vhv(self, v0_sample):
        pre_sigmoid_h1, h1_mean, h1_sample = self.sample_h_given_v(v0_sample)
        pre_sigmoid_v1, v1_mean, v1_sample = self.sample_v_given_h(h1_sample)
        return [pre_sigmoid_h1, h1_mean, h1_sample, pre_sigmoid_v1, v1_mean, v1_sample]

    def get_cost_updates(self, lr=0.1, persistent=None, k=1):
        pre_sigmoid_ph, ph_mean, ph_sample = self.sample_h_given_v(self.input)
        if persistent is None:
            chain_start = ph_sample
        else:
            chain_start = persistent
        (
            [pre_sigmoid_nvs, nv_means, nv_samples, pre_sigmoid_nhs, nh_means, nh_samples],
            updates
        ) = theano.scan(
            self.gibbs_hvh,
            outputs_info=[None, None, None, None, None, chain_start],
            n_steps=k,
            name="gibbs_hvh"
        )
        chain_end = nv_samples[-1]
        cost = T.mean(self.free_energy(self.input)) - T.mean(self.free_energy(chain_end))
        gparams = T.grad(cost, self.params, consider_constant=[chain_end])
        for gparam, param in zip(gparams, self.params):
            updates[param] = param - gparam * T.cast(lr, dtype=theano.config.floatX)
        if persistent:
            updates[persistent] = nh_samples[-1]
            monitoring_cost = self.get_pseudo_likelihood_cost(updates)
        else:
            monitoring_cost = self.get_reconstruction_cost(updates, pre_sigmoid_nvs[-1])
        return monitoring_cost, updates

    def get_pseudo_likelihood_cost(self, updates):
        bit_i_idx = theano.shared(value=0, name='bit_i_idx')
        xi = T.round(self.input)
        fe_xi = self.free_energy(xi)
        xi_flip = T.set_subtensor(xi[:, bit_i_idx], 1 - xi[:, bit_i_idx])
        fe_xi_flip = self.free_energy(xi_flip)
        cost = T.mean(self.W.get_value().shape[0] * T.log(T.nnet.sigmoid(fe_xi_flip - fe_xi)))
        updates[bit_i_idx] = (bit_i_idx + 1) % self.W.get_value().shape[0]
        return cost

    def get_reconstruction_cost(self, updates, pre_sigmoid_nv):
        return T.mean(T.sum(self.input * T.log(T.nnet.sigmoid(pre_sigmoid_nv)) +
                            (1 - self.input) * T.log(1 - T.nnet.sigmoid(pre_sigmoid_nv)), axis=1))


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("streams", [RandomStreams, MRG_RandomStreams])
def test_rbm_cd_k_through_scan_learns(streams, k):
    x = T.matrix('x')
    rng = numpy.random.RandomState(123)
    rbm = RBM(input=x, numpy_rng=rng, theano_rng=streams(rng.randint(2 ** 30)))
    cost, updates = rbm.get_cost_updates(lr=0.1, k=k)
    data = _digits_binary()
    train_rbm = theano.function([x], cost, updates=updates)
    first = numpy.mean([train_rbm(data[i:i + 20]) for i in range(0, 400, 20)])
    for _ in range(6):
        last = numpy.mean([train_rbm(data[i:i + 20]) for i in range(0, 400, 20)])
    # the reconstruction log-likelihood rises
    assert last > first + 2.0, (first, last)
    # DBN.py's sampling: a visible sample from the hidden sample, values in {0, 1}.
    h = rbm.sample_h_given_v(x)[2]
    v = rbm.sample_v_given_h(h)[2]
    out = theano.function([x], v)(data[:10])
    assert out.shape == (10, 64) and set(numpy.unique(out)) <= {0.0, 1.0}


@pytest.mark.parametrize("streams", [RandomStreams, MRG_RandomStreams])
def test_rbm_persistent_cd_and_the_sampling_chain(streams):
    x = T.matrix('x')
    rng = numpy.random.RandomState(7)
    batch, n_hidden = 20, 16
    persistent_chain = theano.shared(numpy.zeros((batch, n_hidden), dtype=theano.config.floatX), borrow=True)
    rbm = RBM(input=x, n_hidden=n_hidden, numpy_rng=rng, theano_rng=streams(rng.randint(2 ** 30)))
    cost, updates = rbm.get_cost_updates(lr=0.1, persistent=persistent_chain, k=5)
    train_rbm = theano.function([x], cost, updates=updates, name='train_rbm')
    data = _digits_binary()
    before = persistent_chain.get_value().copy()
    costs = [train_rbm(data[i:i + batch]) for i in range(0, 200, batch)]
    assert numpy.all(numpy.isfinite(costs))
    chain = persistent_chain.get_value()
    assert not numpy.array_equal(chain, before) and set(numpy.unique(chain)) <= {0.0, 1.0}

    # rbm.py's sampling: plot_every Gibbs steps through scan, the chain kept in a shared variable.
    persistent_vis_chain = theano.shared(numpy.asarray(data[:10], dtype=theano.config.floatX))
    plot_every = 4
    (
        [presig_hids, hid_mfs, hid_samples, presig_vis, vis_mfs, vis_samples],
        updates
    ) = theano.scan(
        rbm.gibbs_vhv,
        outputs_info=[None, None, None, None, None, persistent_vis_chain],
        n_steps=plot_every,
        name="gibbs_vhv"
    )
    updates.update({persistent_vis_chain: vis_samples[-1]})
    sample_fn = theano.function([], [vis_mfs[-1], vis_samples[-1]], updates=updates, name='sample_fn')
    mf, sample = sample_fn()
    assert mf.shape == (10, 64) and numpy.all((mf > 0) & (mf < 1))
    numpy.testing.assert_array_equal(persistent_vis_chain.get_value(), sample)
    mf2, sample2 = sample_fn()  # the chain goes on from where it stopped
    assert not numpy.array_equal(sample, sample2)


# ---- hmc.py ----

def kinetic_energy(vel):
    return 0.5 * (vel ** 2).sum(axis=1)


def hamiltonian(pos, vel, energy_fn):
    return energy_fn(pos) + kinetic_energy(vel)


def metropolis_hastings_accept(energy_prev, energy_next, s_rng):
    ediff = energy_prev - energy_next
    return (T.exp(ediff) - s_rng.uniform(size=energy_prev.shape)) >= 0


def simulate_dynamics(initial_pos, initial_vel, stepsize, n_steps, energy_fn):
    def leapfrog(pos, vel, step):
        dE_dpos = T.grad(energy_fn(pos).sum(), pos)
        new_vel = vel - step * dE_dpos
        new_pos = pos + step * new_vel
        return [new_pos, new_vel], {}

    initial_energy = energy_fn(initial_pos)
    dE_dpos = T.grad(initial_energy.sum(), initial_pos)
    vel_half_step = initial_vel - 0.5 * stepsize * dE_dpos
    pos_full_step = initial_pos + stepsize * vel_half_step

    (all_pos, all_vel), scan_updates = theano.scan(
        leapfrog,
        outputs_info=[
            dict(initial=pos_full_step),
            dict(initial=vel_half_step),
        ],
        non_sequences=[stepsize],
        n_steps=n_steps - 1)
    final_pos = all_pos[-1]
    final_vel = all_vel[-1]
    assert not scan_updates
    energy = energy_fn(final_pos)
    final_vel = final_vel - 0.5 * stepsize * T.grad(energy.sum(), final_pos)
    return final_pos, final_vel


def hmc_move(s_rng, positions, energy_fn, stepsize, n_steps):
    initial_vel = s_rng.normal(size=positions.shape)
    final_pos, final_vel = simulate_dynamics(
        initial_pos=positions,
        initial_vel=initial_vel,
        stepsize=stepsize,
        n_steps=n_steps,
        energy_fn=energy_fn
    )
    accept = metropolis_hastings_accept(
        energy_prev=hamiltonian(positions, initial_vel, energy_fn),
        energy_next=hamiltonian(final_pos, final_vel, energy_fn),
        s_rng=s_rng
    )
    return accept, final_pos


def hmc_updates(positions, stepsize, avg_acceptance_rate, final_pos, accept, target_acceptance_rate,
                stepsize_inc, stepsize_dec, stepsize_min, stepsize_max, avg_acceptance_slowness):
    accept_matrix = accept.dimshuffle(0, *(('x',) * (final_pos.ndim - 1)))
    new_positions = T.switch(accept_matrix, final_pos, positions)
    _new_stepsize = T.switch(avg_acceptance_rate > target_acceptance_rate,
                             stepsize * stepsize_inc, stepsize * stepsize_dec)
    new_stepsize = T.clip(_new_stepsize, stepsize_min, stepsize_max)
    mean_dtype = theano.scalar.upcast(accept.dtype, avg_acceptance_rate.dtype)
    new_acceptance_rate = T.add(
        avg_acceptance_slowness * avg_acceptance_rate,
        (1.0 - avg_acceptance_slowness) * accept.mean(dtype=mean_dtype))
    return [(positions, new_positions), (stepsize, new_stepsize), (avg_acceptance_rate, new_acceptance_rate)]


def test_hmc_samples_a_gaussian():
    rng = numpy.random.RandomState(123)
    dim, batchsize = 3, 50
    mu = numpy.array(rng.rand(dim) * 10, dtype=theano.config.floatX)
    cov = numpy.array(rng.rand(dim, dim), dtype=theano.config.floatX)
    cov = (cov + cov.T) / 2.
    cov[numpy.arange(dim), numpy.arange(dim)] = 1.0
    cov_inv = numpy.linalg.inv(cov)

    def gaussian_energy(x):
        return 0.5 * (T.dot((x - mu), cov_inv) * (x - mu)).sum(axis=1)

    position = theano.shared(rng.randn(batchsize, dim).astype(theano.config.floatX))
    stepsize = theano.shared(numpy.asarray(0.01, dtype=theano.config.floatX), 'hmc_stepsize')
    avg_acceptance_rate = theano.shared(numpy.asarray(0.9, dtype=theano.config.floatX), 'avg_acceptance_rate')
    s_rng = MRG_RandomStreams(rng.randint(2 ** 30))
    accept, final_pos = hmc_move(s_rng, position, gaussian_energy, stepsize, n_steps=20)
    simulate = theano.function([], [], updates=hmc_updates(
        position, stepsize, avg_acceptance_rate, final_pos=final_pos, accept=accept, stepsize_min=0.001,
        stepsize_max=0.25, stepsize_inc=1.02, stepsize_dec=0.98, target_acceptance_rate=0.9,
        avg_acceptance_slowness=0.9), name='hmc_sampler')
    samples = []
    for i in range(600):
        simulate()
        if i >= 100:
            samples.append(position.get_value())
    samples = numpy.asarray(samples).reshape(-1, dim)
    assert numpy.allclose(samples.mean(axis=0), mu, atol=0.3), (samples.mean(axis=0), mu)
    assert numpy.allclose(numpy.cov(samples.T), cov, atol=0.3)
    assert 0.6 < float(avg_acceptance_rate.get_value()) <= 1.0
    assert 0.001 <= float(stepsize.get_value()) <= 0.25


# ---- rnnslu (elman.py) ----

class RNNSLU(object):
    def __init__(self, nh, nc, ne, de, cs):
        rng = numpy.random.RandomState(3)
        f = theano.config.floatX
        self.emb = theano.shared(name='embeddings', value=0.2 * rng.uniform(-1.0, 1.0, (ne + 1, de)).astype(f))
        self.wx = theano.shared(name='wx', value=0.2 * rng.uniform(-1.0, 1.0, (de * cs, nh)).astype(f))
        self.wh = theano.shared(name='wh', value=0.2 * rng.uniform(-1.0, 1.0, (nh, nh)).astype(f))
        self.w = theano.shared(name='w', value=0.2 * rng.uniform(-1.0, 1.0, (nh, nc)).astype(f))
        self.bh = theano.shared(name='bh', value=numpy.zeros(nh, dtype=f))
        self.b = theano.shared(name='b', value=numpy.zeros(nc, dtype=f))
        self.h0 = theano.shared(name='h0', value=numpy.zeros(nh, dtype=f))
        self.params = [self.emb, self.wx, self.wh, self.w, self.bh, self.b, self.h0]

        idxs = T.imatrix()
        x = self.emb[idxs].reshape((idxs.shape[0], de * cs))
        y_sentence = T.ivector('y_sentence')

        def recurrence(x_t, h_tm1):
            h_t = T.nnet.sigmoid(T.dot(x_t, self.wx) + T.dot(h_tm1, self.wh) + self.bh)
            s_t = T.nnet.softmax(T.dot(h_t, self.w) + self.b)
            return [h_t, s_t]

        [h, s], _ = theano.scan(fn=recurrence, sequences=x, outputs_info=[self.h0, None], n_steps=x.shape[0])
        p_y_given_x_sentence = s[:, 0, :]
        y_pred = T.argmax(p_y_given_x_sentence, axis=1)

        lr = T.scalar('lr')
        sentence_nll = -T.mean(T.log(p_y_given_x_sentence)[T.arange(x.shape[0]), y_sentence])
        sentence_gradients = T.grad(sentence_nll, self.params)
        sentence_updates = [(param, param - lr * g) for param, g in zip(self.params, sentence_gradients)]

        self.classify = theano.function(inputs=[idxs], outputs=y_pred)
        self.sentence_train = theano.function(inputs=[idxs, y_sentence, lr], outputs=sentence_nll,
                                              updates=sentence_updates)
        self.normalize = theano.function(
            inputs=[], updates={self.emb: self.emb / T.sqrt((self.emb ** 2).sum(axis=1)).dimshuffle(0, 'x')})


def contextwin(sentence, win):
    lpadded = win // 2 * [-1] + list(sentence) + win // 2 * [-1]
    return [lpadded[i:i + win] for i in range(len(sentence))]


def test_rnnslu_learns_to_tag_a_toy_language():
    # Label of a word: its id modulo 3, except after word 0, where it is 3.
    rng = numpy.random.RandomState(0)
    ne, nc, cs = 12, 4, 3
    sentences = [rng.randint(0, ne, rng.randint(4, 9)) for _ in range(30)]
    labels = [numpy.array([3 if i > 0 and s[i - 1] == 0 else w % 3 for i, w in enumerate(s)], dtype='int32')
              for s in sentences]
    rnn = RNNSLU(nh=20, nc=nc, ne=ne, de=8, cs=cs)
    windows = [numpy.asarray(contextwin(s, cs), dtype='int32') for s in sentences]
    first = numpy.mean([rnn.sentence_train(w, y, 0.0) for w, y in zip(windows, labels)])
    for _ in range(25):
        for w, y in zip(windows, labels):
            rnn.sentence_train(w, y, 0.3)
            rnn.normalize()
    last = numpy.mean([rnn.sentence_train(w, y, 0.0) for w, y in zip(windows, labels)])
    assert last < first / 3, (first, last)
    acc = numpy.mean(numpy.concatenate([rnn.classify(w) == y for w, y in zip(windows, labels)]))
    assert acc > 0.9
    norms = numpy.sqrt((rnn.emb.get_value() ** 2).sum(axis=1))
    numpy.testing.assert_allclose(norms, 1.0, rtol=1e-5)


# ---- lstm.py ----

def numpy_floatX(data):
    return numpy.asarray(data, dtype=theano.config.floatX)


def _p(pp, name):
    return '%s_%s' % (pp, name)


def lstm_layer(tparams, state_below, options, prefix='lstm', mask=None):
    nsteps = state_below.shape[0]
    if state_below.ndim == 3:
        n_samples = state_below.shape[1]
    else:
        n_samples = 1

    assert mask is not None

    def _slice(_x, n, dim):
        if _x.ndim == 3:
            return _x[:, :, n * dim:(n + 1) * dim]
        return _x[:, n * dim:(n + 1) * dim]

    def _step(m_, x_, h_, c_):
        preact = tensor.dot(h_, tparams[_p(prefix, 'U')])
        preact += x_

        i = tensor.nnet.sigmoid(_slice(preact, 0, options['dim_proj']))
        f = tensor.nnet.sigmoid(_slice(preact, 1, options['dim_proj']))
        o = tensor.nnet.sigmoid(_slice(preact, 2, options['dim_proj']))
        c = tensor.tanh(_slice(preact, 3, options['dim_proj']))

        c = f * c_ + i * c
        c = m_[:, None] * c + (1. - m_)[:, None] * c_

        h = o * tensor.tanh(c)
        h = m_[:, None] * h + (1. - m_)[:, None] * h_

        return h, c

    state_below = (tensor.dot(state_below, tparams[_p(prefix, 'W')]) + tparams[_p(prefix, 'b')])

    dim_proj = options['dim_proj']
    rval, updates = theano.scan(_step,
                                sequences=[mask, state_below],
                                outputs_info=[tensor.alloc(numpy_floatX(0.), n_samples, dim_proj),
                                              tensor.alloc(numpy_floatX(0.), n_samples, dim_proj)],
                                name=_p(prefix, '_layers'),
                                n_steps=nsteps)
    return rval[0]


def test_lstm_layer_with_a_mask_trains():
    rng = numpy.random.RandomState(1)
    dim, n_words, ydim = 6, 10, 2
    f = theano.config.floatX
    tparams = {
        'Wemb': theano.shared((0.5 * rng.randn(n_words, dim)).astype(f), name='Wemb'),
        'lstm_W': theano.shared((0.3 * rng.randn(dim, 4 * dim)).astype(f), name='lstm_W'),
        'lstm_U': theano.shared((0.3 * rng.randn(dim, 4 * dim)).astype(f), name='lstm_U'),
        'lstm_b': theano.shared(numpy.zeros(4 * dim, dtype=f), name='lstm_b'),
        'U': theano.shared((0.01 * rng.randn(dim, ydim)).astype(f), name='U'),
        'b': theano.shared(numpy.zeros(ydim, dtype=f), name='b'),
    }
    options = {'dim_proj': dim}
    x = tensor.matrix('x', dtype='int64')
    mask = tensor.matrix('mask', dtype=f)
    y = tensor.vector('y', dtype='int64')
    n_timesteps, n_samples = x.shape[0], x.shape[1]
    emb = tparams['Wemb'][x.flatten()].reshape([n_timesteps, n_samples, dim])
    proj = lstm_layer(tparams, emb, options, prefix='lstm', mask=mask)
    proj = (proj * mask[:, :, None]).sum(axis=0)
    proj = proj / mask.sum(axis=0)[:, None]
    pred = tensor.nnet.softmax(tensor.dot(proj, tparams['U']) + tparams['b'])
    cost = -tensor.log(pred[tensor.arange(n_samples), y] + 1e-8).mean()
    params = list(tparams.values())
    grads = tensor.grad(cost, wrt=params)
    lr = tensor.scalar(name='lr')
    train = theano.function([x, mask, y, lr], cost, updates=[(p, p - lr * g) for p, g in zip(params, grads)])

    # Sentences of different lengths padded with a mask; the label: does word 3 occur.
    seqs = [rng.randint(0, n_words, rng.randint(2, 7)) for _ in range(16)]
    maxlen = max(len(s) for s in seqs)
    xv = numpy.zeros((maxlen, len(seqs)), dtype='int64')
    mv = numpy.zeros((maxlen, len(seqs)), dtype=f)
    for k, s in enumerate(seqs):
        xv[:len(s), k] = s
        mv[:len(s), k] = 1.
    yv = numpy.array([int(3 in s) for s in seqs], dtype='int64')
    first = train(xv, mv, yv, 0.0)
    for _ in range(300):
        last = train(xv, mv, yv, 1.0)
    assert last < first * 0.3, (first, last)

    # Padding is ignored: the cost of a batch does not change when padding grows.
    c = theano.function([x, mask, y], cost)
    pad = numpy.zeros((3, len(seqs)), dtype='int64')
    numpy.testing.assert_allclose(c(xv, mv, yv), c(numpy.vstack([xv, pad + 5]),
                                                   numpy.vstack([mv, pad.astype(f)]), yv), rtol=1e-5)
