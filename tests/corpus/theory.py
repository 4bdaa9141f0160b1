"""Exercises 1 to 6: typical mistakes and correct alternatives."""
TC, ST, PE, TL = "transposed_conv.py", "softmax_temperature.py", "positional_encoding.py", "transformer_layer.py"
POST_LN = ("        x = self.ln1(x + self.W_o(attn))\n        x = self.ln2(x + self.ff2(F.relu(self.ff1(x))))\n")
MASK = ('            scores = scores.masked_fill(mask == 0, float("-inf"))\n')
LAYER_NORMS = "        self.ln1 = nn.LayerNorm(d_model)\n        self.ln2 = nn.LayerNorm(d_model)\n"
HEADS = "            return t.view(B, T, self.n_heads, self.d_head).transpose(1, 2)\n"

BUGS = {
    1: {
        "flipped filter": (TC, [("A[i, i * stride:i * stride + k] = w", "A[i, i * stride:i * stride + k] = w.flip(0)")], {'strided_conv_matrix.flipped', 'transposed_conv_via_matrix.transposed_flipped'}),
        "wrong number of rows": (TC, [("rows = (n - k) // stride + 1", "rows = (n - k) // stride")], {'error.matmul-shapes', 'relation.one-too-few', 'strided_conv_matrix.one_row_too_few'}),
        "stride ignored in the rows": (TC, [("A[i, i * stride:i * stride + k] = w", "A[i, i:i + k] = w")], {'relation.permuted', 'strided_conv_matrix.stride_ignored', 'transposed_conv_via_matrix.transposed_stride_ignored'}),
        "conv_transpose1d's length": (TC, [("    return strided_conv_matrix(w, n, stride).T @ z",
                                            "    return (strided_conv_matrix(w, n, stride).T @ z)[: (len(z) - 1) * stride + len(w)]")], {'relation.one-too-few', 'transposed_conv_via_matrix.transposed_short'}),
        "number of windows rounded down": (TC, [("rows = (n - k) // stride + 1", "rows = (n - k + 1) // stride")], {'error.matmul-shapes', 'relation.one-too-few', 'strided_conv_matrix.rows_rounded_down'}),
        "transposed matrix rebuilt without the stride": (TC, [("    return strided_conv_matrix(w, n, stride).T @ z",
                                                              "    A = torch.zeros(len(z), n, dtype=w.dtype)\n"
                                                              "    for i in range(len(z)):\n"
                                                              "        A[i, i:i + len(w)] = w\n"
                                                              "    return A.T @ z")], {'transposed_conv_via_matrix.transposed_stride_ignored'}),
        "conv_transpose1d with padding=1": (TC, [("    return strided_conv_matrix(w, n, stride).T @ z",
                                                  "    return torch.nn.functional.conv_transpose1d(z.view(1, 1, -1), w.view(1, 1, -1), "
                                                  "stride=stride, padding=1).view(-1)")], {'transposed_conv_via_matrix.transposed_padding_one'}),
    },
    3: {
        "T multiplied instead of divided": (ST, [("scaled = z / T", "scaled = z * T")], {'softmax_t.multiplied'}),
        "unstable softmax": (ST, [("    scaled = scaled - scaled.max(dim=-1, keepdim=True).values\n", "")], {'softmax_t.unstable'}),
        "normalised over the first dimension": (ST, [("e / e.sum(dim=-1, keepdim=True)", "e / e.sum(dim=0, keepdim=True)")], {'softmax_t.summed_over_the_first_axis'}),
        "temperature cancels out": (ST, [("    scaled = z / T\n", "    scaled = z\n"),
                                         ("    e = torch.exp(scaled)\n", "    e = torch.exp(scaled) / T\n")], {'softmax_t.no_temperature'}),
        "log of the softmax": (ST, [("    return e / e.sum(dim=-1, keepdim=True)",
                                     "    return torch.log(e / e.sum(dim=-1, keepdim=True))")], {'relation.logarithm', 'softmax_t.log_softmax'}),
        "normalised over the whole tensor": (ST, [("e / e.sum(dim=-1, keepdim=True)", "e / e.sum()")], {'softmax_t.summed_over_everything'}),
        "softmax of the whole tensor": (ST, [("scaled - scaled.max(dim=-1, keepdim=True).values", "scaled - scaled.max()"),
                                             ("e / e.sum(dim=-1, keepdim=True)", "e / e.sum()")], {'softmax_t.softmax_of_the_whole_tensor'}),
        "maximum over the first dimension": (ST, [("scaled - scaled.max(dim=-1, keepdim=True).values", "scaled - scaled.max(dim=0).values")], {'softmax_t.maximum_over_the_first_axis'}),
    },
    4: {
        "block instead of interleaved encodings": (PE, [(
            "torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(p.shape[0], -1)",
            "torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)")], {'positional_encoding.blocks'}),
        "cosine before sine": (PE, [("[torch.sin(angles), torch.cos(angles)]", "[torch.cos(angles), torch.sin(angles)]")], {'positional_encoding.swapped'}),
        "attention not scaled": (PE, [(" / math.sqrt(X.shape[1])", "")], {'attention_weights.not_scaled', 'layer_output.not_scaled'}),
        "attention scaled by d": (PE, [(" / math.sqrt(X.shape[1])", " / X.shape[1]")], {'attention_weights.scaled_by_d'}),
        "softmax over the queries": (PE, [("return torch.softmax(scores, dim=-1)", "return torch.softmax(scores, dim=0)")], {'attention_weights.over_queries', 'layer_output.softmax_over_queries'}),
        "cosine from the sine by Pythagoras": (PE, [("[torch.sin(angles), torch.cos(angles)]",
                                                     "[torch.sin(angles), torch.sqrt(1 - torch.sin(angles) ** 2)]")], {'positional_encoding.pythagoras'}),
        "divided by the frequencies": (PE, [("angles = p[:, None] * omegas[None, :]", "angles = p[:, None] / omegas[None, :]")], {'positional_encoding.divided'}),
        "the paper's frequencies": (PE, [("angles = p[:, None] * omegas[None, :]",
                                          "angles = p[:, None] / 10000 ** (2 * torch.arange(omegas.shape[0]) / (2 * omegas.shape[0]))[None, :]")], {'positional_encoding.own_frequencies'}),
        "angles as [d/2, N]": (PE, [("angles = p[:, None] * omegas[None, :]", "angles = omegas[:, None] * p[None, :]")], {'positional_encoding.angles_transposed'}),
        "weights applied as nn.Linear": (PE, [("scores = (X @ W_q) @ (X @ W_k).T", "scores = (X @ W_q.T) @ (X @ W_k.T).T")], {'attention_weights.weights_transposed'}),
        "queries and keys swapped": (PE, [("scores = (X @ W_q) @ (X @ W_k).T", "scores = (X @ W_k) @ (X @ W_q).T")], {'attention_weights.queries_and_keys_swapped'}),
        "scaled by the number of frequencies": (PE, [(" / math.sqrt(X.shape[1])", " / math.sqrt(omegas.shape[0])")], {'attention_weights.scaled_by_half_d'}),
        "scaled after the softmax": (PE, [("    scores = (X @ W_q) @ (X @ W_k).T / math.sqrt(X.shape[1])\n    return torch.softmax(scores, dim=-1)",
                                           "    scores = (X @ W_q) @ (X @ W_k).T\n    return torch.softmax(scores, dim=-1) / math.sqrt(X.shape[1])")], {'attention_weights.scaled_after_the_softmax'}),
        "softmax forgotten": (PE, [("return torch.softmax(scores, dim=-1)", "return scores")], {'attention_weights.no_softmax'}),
    },
    5: {
        "mask filled with 0": (TL, [(MASK, MASK.replace('float("-inf")', "0.0"))], {'layer_output.masked_with_zero'}),
        "attention not scaled": (TL, [(" / math.sqrt(self.d_head)", "")], {'attention_weights.not_scaled', 'layer_output.not_scaled'}),
        "pre-LN order": (TL, [(POST_LN, "        x = x + self.W_o(attn)\n        x = self.ln1(x)\n"
                                        "        x = x + self.ff2(F.relu(self.ff1(self.ln2(x))))\n")], {'layer_output.ln_before_feed_forward', 'layer_output.pre_ln'}),
        "LayerNorm parameters forgotten": (TL, [(LAYER_NORMS, LAYER_NORMS.replace("(d_model)", "(d_model, elementwise_affine=False)"))], {'hint.a-layernorm-has-a-weight-and-a-bias'}),
        "heads split without a transpose": (TL, [(HEADS, "            return t.view(B, self.n_heads, T, self.d_head)\n")], {'layer_output.heads_without_transpose'}),
        "mask ignored": (TL, [(MASK, "            pass\n")], {'hint.the-mask-is-not-applied', 'layer_output.mask_ignored'}),
        "softmax over the queries": (TL, [("weights = torch.softmax(scores, dim=-1)", "weights = torch.softmax(scores, dim=-2)")], {'attention_weights.over_queries', 'layer_output.softmax_over_queries'}),
        "second residual dropped": (TL, [("x = self.ln2(x + self.ff2(F.relu(self.ff1(x))))", "x = self.ln2(self.ff2(F.relu(self.ff1(x))))")], {'layer_output.second_residual_missing'}),
        "scores divided by d_head": (TL, [(" / math.sqrt(self.d_head)", " / self.d_head")], {'layer_output.scaled_by_d_head'}),
        "mask applied after the softmax": (TL, [("        if mask is not None:\n" + MASK + "        weights = torch.softmax(scores, dim=-1)\n",
                                                 "        weights = torch.softmax(scores, dim=-1)\n        if mask is not None:\n"
                                                 "            weights = weights * mask\n")], {'layer_output.mask_after_softmax'}),
        "mask added to the scores": (TL, [(MASK, "            scores = scores + mask\n")], {'layer_output.mask_added'}),
        "values from W_k": (TL, [("heads(self.W_v(x))", "heads(self.W_k(x))")], {'layer_output.values_from_W_k'}),
        "W_o forgotten": (TL, [("x = self.ln1(x + self.W_o(attn))", "x = self.ln1(x + attn)")], {'layer_output.W_o_missing'}),
        "heads merged without a transpose": (TL, [("attn = (weights @ v).transpose(1, 2).reshape(B, T, D)", "attn = (weights @ v).reshape(B, T, D)")], {'layer_output.heads_merged_without_transpose'}),
        "ReLU forgotten": (TL, [("x + self.ff2(F.relu(self.ff1(x))))", "x + self.ff2(self.ff1(x)))")], {'layer_output.relu_missing'}),
        "GELU instead of ReLU": (TL, [("x + self.ff2(F.relu(self.ff1(x))))", "x + self.ff2(F.gelu(self.ff1(x))))")], {'layer_output.gelu'}),
        "LayerNorms on the branches": (TL, [(POST_LN, "        x = x + self.ln1(self.W_o(attn))\n        x = x + self.ln2(self.ff2(F.relu(self.ff1(x))))\n")], {'layer_output.layer_norm_on_the_branches'}),
        "first residual dropped": (TL, [("x = self.ln1(x + self.W_o(attn))", "x = self.ln1(self.W_o(attn))")], {'layer_output.first_residual_missing'}),
        "ln1 and ln2 swapped": (TL, [(POST_LN, "        x = self.ln2(x + self.W_o(attn))\n        x = self.ln1(x + self.ff2(F.relu(self.ff1(x))))\n")], {'layer_output.layer_norms_swapped'}),
        "ln1 on x only, as in the buggy layer": (TL, [("x = self.ln1(x + self.W_o(attn))", "x = self.ln1(x) + self.W_o(attn)")], {'layer_output.ln1_on_x_only'}),
    },
    6: {
        "biases forgotten": (TL, [("    return 4 * d_model**2 + 2 * d_model * d_ff + d_ff + 6 * d_model",
                                   "    return 4 * d_model**2 + 2 * d_model * d_ff + 4 * d_model")], {'count_parameters.biases_missing'}),
        "one feed-forward matrix counted": (TL, [("2 * d_model * d_ff + d_ff", "d_model * d_ff + d_ff")], {'count_parameters.one_feed_forward_matrix'}),
        "the buggy layer counted": (TL, [("    return 4 * d_model**2 + 2 * d_model * d_ff + d_ff + 6 * d_model",
                                          "    return 4 * d_model**2 + 2 * d_model * d_ff + d_model + 6 * d_ff")], {'count_parameters.buggy_layer_counted'}),
        "ff2's bias of d_ff values": (TL, [("    return 4 * d_model**2 + 2 * d_model * d_ff + d_ff + 6 * d_model",
                                            "    return 4 * d_model**2 + 2 * d_model * d_ff + 2 * d_ff + 5 * d_model")], {'count_parameters.ff2_bias_of_d_ff'}),
        "W_o not counted": (TL, [("    return 4 * d_model**2 + 2 * d_model * d_ff + d_ff + 6 * d_model",
                                  "    return 3 * d_model**2 + 2 * d_model * d_ff + d_ff + 5 * d_model")], {'count_parameters.output_projection_missing'}),
    },
}

# Bugs that rightly lose points in a second exercise as well: exercise 2 checks a property of
# the student's own layer, which these bugs break.
ALSO = {"heads split without a transpose": {2}, "mask ignored": {2}, "heads merged without a transpose": {2}}

VARIANTS = {
    1: {
        "A from convolving basis vectors": (TC, [(
            "    A = torch.zeros(rows, n, dtype=w.dtype)\n    for i in range(rows):\n        A[i, i * stride:i * stride + k] = w\n    return A",
            "    basis = torch.eye(n, dtype=w.dtype).view(n, 1, n)\n"
            "    return torch.nn.functional.conv1d(basis, w.view(1, 1, k), stride=stride).view(n, rows).T")]),
        "A^T z through conv_transpose1d": (TC, [(
            "    return strided_conv_matrix(w, n, stride).T @ z",
            "    out = torch.nn.functional.conv_transpose1d(z.view(1, 1, -1), w.view(1, 1, -1), stride=stride).view(-1)\n"
            "    return torch.cat([out, out.new_zeros(n - out.numel())])")]),
    },
    3: {
        "torch.softmax": (ST, [("    scaled = scaled - scaled.max(dim=-1, keepdim=True).values\n    e = torch.exp(scaled)\n"
                                "    return e / e.sum(dim=-1, keepdim=True)", "    return torch.softmax(scaled, dim=-1)")]),
        "log-sum-exp": (ST, [("    scaled = scaled - scaled.max(dim=-1, keepdim=True).values\n    e = torch.exp(scaled)\n"
                              "    return e / e.sum(dim=-1, keepdim=True)",
                              "    return torch.exp(scaled - torch.logsumexp(scaled, dim=-1, keepdim=True))")]),
    },
    4: {"a slicing loop": (PE, [(
        "    angles = p[:, None] * omegas[None, :]  # [N, d / 2]\n"
        "    return torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(p.shape[0], -1)",
        "    X = torch.zeros(p.shape[0], 2 * omegas.shape[0])\n"
        "    for i, w in enumerate(omegas):\n"
        "        X[:, 2 * i] = torch.sin(w * p)\n"
        "        X[:, 2 * i + 1] = torch.cos(w * p)\n"
        "    return X")])},
    5: {"an additive mask": (TL, [(MASK, '            scores = scores + torch.zeros_like(scores).masked_fill(mask == 0, float("-inf"))\n')]),
        "F.scaled_dot_product_attention with a boolean mask": (TL, [(
        "        scores = q @ k.transpose(-1, -2) / math.sqrt(self.d_head)  # [B, n_heads, T, T]\n"
        "        if mask is not None:\n" + MASK +
        "        weights = torch.softmax(scores, dim=-1)\n"
        "        attn = (weights @ v).transpose(1, 2).reshape(B, T, D)  # back to [B, T, D]\n",
        "        attn_mask = None if mask is None else mask.bool()\n"
        "        attn = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)\n"
        "        attn = attn.transpose(1, 2).reshape(B, T, D)\n")])},
    6: {"the formula factored": (TL, [("    return 4 * d_model**2 + 2 * d_model * d_ff + d_ff + 6 * d_model",
                                       "    return d_model * (4 * d_model + 2 * d_ff + 6) + d_ff")])},
}
