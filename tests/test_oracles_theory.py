"""The theory references agree with torch's own layers: conv1d, conv_transpose1d,
nn.TransformerEncoderLayer (batch_first, post-LN, ReLU, no dropout), and real parameter counts."""
import math

import pytest
from conftest import load_solution

torch = pytest.importorskip("torch")
F = torch.nn.functional


load = load_solution


@pytest.mark.parametrize("k, n, stride", [(3, 6, 2), (3, 7, 1), (2, 9, 3), (4, 10, 2), (5, 12, 3)])
def test_the_matrix_is_conv1d_and_its_transpose_is_conv_transpose1d(k, n, stride):
    tc = load("transposed_conv")
    gen = torch.Generator().manual_seed(k * n)
    w, x = torch.randn(k, generator=gen), torch.randn(n, generator=gen)
    A = tc.strided_conv_matrix(w, n, stride)
    torch.testing.assert_close(A @ x, F.conv1d(x.view(1, 1, n), w.view(1, 1, k), stride=stride).view(-1))
    z = torch.randn(A.shape[0], generator=gen)
    ours = tc.transposed_conv_via_matrix(z, w, n, stride)
    theirs = F.conv_transpose1d(z.view(1, 1, -1), w.view(1, 1, k), stride=stride).view(-1)
    # conv_transpose1d returns (len(z) - 1) * stride + k values; A^T z has n: the rest is never covered.
    torch.testing.assert_close(ours[: theirs.numel()], theirs)
    assert torch.all(ours[theirs.numel():] == 0)


def test_softmax_t_is_torch_softmax_of_the_scaled_logits():
    st = load("softmax_temperature")
    z = torch.randn(4, 7, generator=torch.Generator().manual_seed(0)) * 5
    for T in (0.1, 1.0, 7.0):
        torch.testing.assert_close(st.softmax_t(z, T), torch.softmax(z / T, dim=-1))
    assert torch.isfinite(st.softmax_t(torch.tensor([1e4, 0.0]), 1e-3)).all()


def test_attention_weights_from_the_encodings_by_hand():
    pe = load("positional_encoding")
    p, omegas = torch.tensor([0.0, 1.0, 4.0]), torch.tensor([1.0, 0.1])
    X = torch.stack([torch.sin(p), torch.cos(p), torch.sin(0.1 * p), torch.cos(0.1 * p)], dim=1)
    torch.testing.assert_close(pe.positional_encoding(p, omegas), X)
    W_q, W_k = torch.randn(4, 4), torch.randn(4, 4)
    torch.testing.assert_close(pe.attention_weights(p, omegas, W_q, W_k),
                               torch.softmax((X @ W_q) @ (X @ W_k).T / 2.0, dim=-1))


def encoder_layer_with_the_same_weights(layer):
    d, ff = layer.d_model, layer.ff1.out_features
    ref = torch.nn.TransformerEncoderLayer(d, layer.n_heads, ff, dropout=0.0, activation="relu",
                                           batch_first=True, norm_first=False).eval()
    with torch.no_grad():
        ref.self_attn.in_proj_weight.copy_(torch.cat([layer.W_q.weight, layer.W_k.weight, layer.W_v.weight]))
        ref.self_attn.in_proj_bias.zero_()
        ref.self_attn.out_proj.weight.copy_(layer.W_o.weight)
        ref.self_attn.out_proj.bias.copy_(layer.W_o.bias)
        for ours, theirs in [(layer.ff1, ref.linear1), (layer.ff2, ref.linear2), (layer.ln1, ref.norm1), (layer.ln2, ref.norm2)]:
            theirs.weight.copy_(ours.weight)
            theirs.bias.copy_(ours.bias)
    return ref


@pytest.mark.parametrize("d, h, ff", [(16, 4, 40), (24, 3, 64), (32, 1, 48), (32, 8, 64)])
def test_the_layer_equals_torchs_encoder_layer_with_and_without_masks(d, h, ff):
    tl = load("transformer_layer")
    torch.manual_seed(d + h)
    layer = tl.TransformerLayer(d, h, ff).eval()
    with torch.no_grad():  # make the LayerNorm parameters matter
        for ln in (layer.ln1, layer.ln2):
            ln.weight.normal_(1.0, 0.1)
            ln.bias.normal_(0.0, 0.1)
    ref = encoder_layer_with_the_same_weights(layer)
    x = torch.randn(2, 6, d)
    causal = torch.tril(torch.ones(6, 6, dtype=torch.bool))
    padding = torch.tensor([[False] * 6, [False] * 4 + [True] * 2])  # torch: True = padding
    with torch.no_grad():
        torch.testing.assert_close(layer(x), ref(x), atol=2e-6, rtol=1e-5)
        torch.testing.assert_close(layer(x, causal), ref(x, src_mask=~causal), atol=2e-6, rtol=1e-5)
        torch.testing.assert_close(layer(x, (~padding)[:, None, None, :]), ref(x, src_key_padding_mask=padding),
                                   atol=2e-6, rtol=1e-5)


@pytest.mark.parametrize("d, ff", [(128, 512), (16, 40), (1, 1), (64, 256)])
def test_count_parameters_equals_the_real_count(d, ff):
    tl = load("transformer_layer")
    for h in (1, math.gcd(d, 4)):
        assert tl.count_parameters(d, ff) == sum(p.numel() for p in tl.TransformerLayer(d, h, ff).parameters())


def test_the_buggy_layer_is_really_buggy():
    tl = load("transformer_layer")
    with pytest.raises(RuntimeError):
        tl.BuggyTransformerLayer(16, 4, 40)(torch.randn(2, 6, 16))
