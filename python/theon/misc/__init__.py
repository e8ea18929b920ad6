"""theano.misc: helpers Theano's code and tests import (may_share_memory)."""
