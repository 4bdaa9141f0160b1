"""Independent correct submissions: the student code of two more authors, each written apart
from the reference solutions and from each other (other loops, other torch calls, other order),
as edits of the solutions (``{file: [(old, new), ...]}``, like the corpus). Used by
tests/test_classview.py to check that the similarity check leaves independent work alone and
finds renamed copies of it (:func:`renamed`)."""
import re

B = {
    "transposed_conv.py": [
        ("""    k = w.shape[0]
    rows = (n - k) // stride + 1
    A = torch.zeros(rows, n, dtype=w.dtype)
    for i in range(rows):
        A[i, i * stride:i * stride + k] = w
    return A""", """    size = len(w)
    count = (n - size) // stride + 1
    lines = []
    for r in range(count):
        line = torch.zeros(n, dtype=w.dtype)
        begin = r * stride
        line[begin:begin + size] = w
        lines.append(line)
    return torch.stack(lines)"""),
        ("    return strided_conv_matrix(w, n, stride).T @ z",
         "    matrix = strided_conv_matrix(w, n, stride)\n    return torch.matmul(matrix.t(), z)"),
    ],
    "softmax_temperature.py": [
        ("""    scaled = z / T
    scaled = scaled - scaled.max(dim=-1, keepdim=True).values
    e = torch.exp(scaled)
    return e / e.sum(dim=-1, keepdim=True)""", """    logits = z / T
    shifted = logits - torch.amax(logits, dim=-1, keepdim=True)
    numerators = shifted.exp()
    denominator = numerators.sum(-1, keepdim=True)
    return numerators / denominator"""),
    ],
    "positional_encoding.py": [
        ("""    angles = p[:, None] * omegas[None, :]  # [N, d / 2]
    return torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).reshape(p.shape[0], -1)""",
         """    phase = torch.outer(p, omegas)
    result = torch.empty(p.shape[0], 2 * omegas.shape[0], dtype=phase.dtype)
    result[:, 0::2] = torch.sin(phase)
    result[:, 1::2] = torch.cos(phase)
    return result"""),
        ("""    X = positional_encoding(p, omegas)
    scores = (X @ W_q) @ (X @ W_k).T / math.sqrt(X.shape[1])
    return torch.softmax(scores, dim=-1)""", """    enc = positional_encoding(p, omegas)
    queries = enc @ W_q
    keys = enc @ W_k
    logits = queries @ keys.transpose(0, 1) / math.sqrt(enc.shape[-1])
    return logits.softmax(dim=1)"""),
    ],
    "iter_maxpool.py": [
        ("""    for _ in range(iters):
        x = F.max_pool2d(x, kernel_size=k, stride=1, padding=k // 2)
    return x""", """    pool = torch.nn.MaxPool2d(kernel_size=k, stride=1, padding=k // 2)
    out = x
    for step in range(iters):
        out = pool(out)
    return out"""),
        ("""    offsets = torch.arange(k, dtype=torch.float32) - k // 2
    dy, dx = torch.meshgrid(offsets, offsets, indexing="ij")
    kernel = torch.exp(-(dx**2 + dy**2) / (2 * sigma**2))
    return kernel / kernel.sum()""", """    r = torch.arange(k, dtype=torch.float32) - k // 2
    g = torch.exp(-0.5 * (r / sigma) ** 2)
    g2 = g[:, None] * g[None, :]
    return g2 / g2.sum()"""),
        ("""    channels = x.shape[1]
    weight = gauss_kernel_2d(k, sigma).to(x.dtype).expand(channels, 1, k, k)
    for _ in range(iters):
        x = F.conv2d(x, weight, padding=k // 2, groups=channels)
    return x""", """    c = x.size(1)
    kern = gauss_kernel_2d(k, sigma).to(x.dtype).reshape(1, 1, k, k).repeat(c, 1, 1, 1)
    y = x
    for step in range(iters):
        y = F.conv2d(y, kern, stride=1, padding=k // 2, groups=c)
    return y"""),
        ("""    gray = np.asarray(Image.open(path).convert("L"), dtype=np.float32) / 255.0
    return torch.from_numpy(gray)[None, None]""", """    img = Image.open(path).convert("L")
    t = torch.tensor(np.array(img), dtype=torch.float32) / 255.0
    return t.unsqueeze(0).unsqueeze(0)"""),
        ("    return x[0, 0].detach().cpu().numpy()", "    return x.detach().cpu()[0][0].numpy()"),
    ],
    "gradients2d.py": [
        ("""    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss_fn(model(xb), yb).backward()
            optimizer.step()
    model.eval()
    with torch.no_grad():
        accuracy = (model(X).argmax(dim=1) == y).float().mean().item()
    return model, accuracy""", """    data = TensorDataset(X, y)
    batches = DataLoader(data, batch_size=batch_size, shuffle=True)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        for inputs, targets in batches:
            opt.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        predictions = model(X).argmax(1)
    acc = (predictions == y).sum().item() / len(y)
    return model, acc"""),
        ("""    xs = torch.linspace(x_min, x_max, steps)
    ys = torch.linspace(y_min, y_max, steps)
    XX, YY = torch.meshgrid(xs, ys, indexing="xy")
    grid = torch.stack([XX.reshape(-1), YY.reshape(-1)], dim=1)
    with torch.no_grad():
        probs = torch.softmax(model(grid), dim=1)
    P = probs[:, 1].reshape(steps, steps)
    return XX, YY, P""", """    x_axis = torch.linspace(x_min, x_max, steps)
    y_axis = torch.linspace(y_min, y_max, steps)
    YY, XX = torch.meshgrid(y_axis, x_axis, indexing="ij")
    points = torch.cat([XX.flatten()[:, None], YY.flatten()[:, None]], dim=1)
    with torch.no_grad():
        P = model(points).softmax(dim=1)[:, 1].view(steps, steps)
    return XX, YY, P"""),
    ],
    "transformer_layer.py": [
        ("""        q, k, v = heads(self.W_q(x)), heads(self.W_k(x)), heads(self.W_v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.d_head)  # [B, n_heads, T, T]
        if mask is not None:
            scores = scores.masked_fill(mask == 0, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        attn = (weights @ v).transpose(1, 2).reshape(B, T, D)  # back to [B, T, D]

        x = self.ln1(x + self.W_o(attn))
        x = self.ln2(x + self.ff2(F.relu(self.ff1(x))))
        return x""", """        query = self.W_q(x).reshape(B, T, self.n_heads, self.d_head).permute(0, 2, 1, 3)
        key = self.W_k(x).reshape(B, T, self.n_heads, self.d_head).permute(0, 2, 1, 3)
        value = self.W_v(x).reshape(B, T, self.n_heads, self.d_head).permute(0, 2, 1, 3)
        att = torch.matmul(query, key.transpose(2, 3)) / math.sqrt(self.d_head)
        if mask is not None:
            att = att.masked_fill(~mask.bool(), float("-inf"))
        att = att.softmax(dim=-1)
        context = torch.matmul(att, value).permute(0, 2, 1, 3).reshape(B, T, D)
        hidden = self.ln1(x + self.W_o(context))
        return self.ln2(hidden + self.ff2(torch.relu(self.ff1(hidden))))"""),
        ("    return 4 * d_model**2 + 2 * d_model * d_ff + d_ff + 6 * d_model",
         """    attention = 4 * d_model * d_model + d_model
    feed_forward = d_model * d_ff + d_ff + d_ff * d_model + d_model
    norms = 2 * 2 * d_model
    return attention + feed_forward + norms"""),
    ],
}

C = {
    "transposed_conv.py": [
        ("""    k = w.shape[0]
    rows = (n - k) // stride + 1
    A = torch.zeros(rows, n, dtype=w.dtype)
    for i in range(rows):
        A[i, i * stride:i * stride + k] = w
    return A""", """    m = (n - w.numel()) // stride + 1
    out = torch.zeros((m, n), dtype=w.dtype)
    for row in range(m):
        for pos, value in enumerate(w):
            out[row, row * stride + pos] = value
    return out"""),
        ("    return strided_conv_matrix(w, n, stride).T @ z",
         "    return torch.einsum(\"ij,i->j\", strided_conv_matrix(w, n, stride), z)"),
    ],
    "softmax_temperature.py": [
        ("""    scaled = z / T
    scaled = scaled - scaled.max(dim=-1, keepdim=True).values
    e = torch.exp(scaled)
    return e / e.sum(dim=-1, keepdim=True)""", """    return torch.softmax(z / T, dim=-1)"""),
    ],
    "iter_maxpool.py": [
        ("""    for _ in range(iters):
        x = F.max_pool2d(x, kernel_size=k, stride=1, padding=k // 2)
    return x""", """    result = x
    i = 0
    while i < iters:
        result = F.max_pool2d(result, k, 1, k // 2)
        i += 1
    return result"""),
        ("""    channels = x.shape[1]
    weight = gauss_kernel_2d(k, sigma).to(x.dtype).expand(channels, 1, k, k)
    for _ in range(iters):
        x = F.conv2d(x, weight, padding=k // 2, groups=channels)
    return x""", """    n, c, h, w = x.shape
    filt = gauss_kernel_2d(k, sigma).to(x.dtype)[None, None]
    flat = x.reshape(n * c, 1, h, w)
    i = 0
    while i < iters:
        flat = F.conv2d(flat, filt, padding=k // 2)
        i += 1
    return flat.reshape(n, c, h, w)"""),
    ],
    "guided_backprop.py": [
        ("""    for name, child in module.named_children():
        if isinstance(child, nn.ReLU):
            setattr(module, name, GuidedReLU())
        else:
            replace_relus(child)
    return module""", """    for key in list(module._modules):
        sub = module._modules[key]
        if isinstance(sub, nn.ReLU):
            module._modules[key] = GuidedReLU()
        elif sub is not None:
            replace_relus(sub)
    return module"""),
        ("""    x = x.detach().clone().requires_grad_(True)
    model.zero_grad()
    scores = model(x)
    scores[:, target_class].sum().backward()
    return x.grad.detach()""", """    inp = x.clone().detach()
    inp.requires_grad = True
    model.zero_grad()
    logits = model(inp)
    (grad,) = torch.autograd.grad(logits[:, target_class].sum(), inp)
    return grad"""),
    ],
    "transformer_layer.py": [
        ("""        q, k, v = heads(self.W_q(x)), heads(self.W_k(x)), heads(self.W_v(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.d_head)  # [B, n_heads, T, T]
        if mask is not None:
            scores = scores.masked_fill(mask == 0, float("-inf"))
        weights = torch.softmax(scores, dim=-1)
        attn = (weights @ v).transpose(1, 2).reshape(B, T, D)  # back to [B, T, D]

        x = self.ln1(x + self.W_o(attn))
        x = self.ln2(x + self.ff2(F.relu(self.ff1(x))))
        return x""", """        Q, K, V = (heads(layer(x)) for layer in (self.W_q, self.W_k, self.W_v))
        S = torch.einsum("bhqd,bhkd->bhqk", Q, K) / math.sqrt(self.d_head)
        if mask is not None:
            S = torch.where(mask.bool(), S, torch.full_like(S, float("-inf")))
        A = torch.softmax(S, dim=-1)
        O = torch.einsum("bhqk,bhkd->bhqd", A, V).transpose(1, 2).contiguous().view(B, T, D)
        y = self.ln1(x + self.W_o(O))
        z = self.ff2(F.relu(self.ff1(y)))
        return self.ln2(y + z)"""),
        ("    return 4 * d_model**2 + 2 * d_model * d_ff + d_ff + 6 * d_model",
         "    return sum([3 * d_model * d_model, d_model * d_model + d_model, d_model * d_ff + d_ff,\n"
         "                d_ff * d_model + d_model, 4 * d_model])"),
    ],
}

AUTHORS = {"b": B, "c": C}

# Local names each author chose, and what a copier renamed them to.
RENAMES = {
    "b": {"size": "klen", "count": "n_rows", "lines": "collected", "r": "idx", "line": "vec", "begin": "first",
          "matrix": "mat", "logits": "s", "shifted": "stable", "numerators": "ex", "denominator": "total",
          "phase": "arg", "result": "pe", "enc": "emb", "queries": "qs", "keys": "ks", "pool": "mp", "out": "cur",
          "step": "it", "g": "gauss", "g2": "outer", "c": "nch", "kern": "wt", "img": "picture", "t": "arr",
          "data": "ds", "batches": "dl", "opt": "optim", "criterion": "lossf", "epoch": "ep", "inputs": "bx",
          "targets": "by", "loss": "l", "predictions": "pred", "acc": "accuracy", "x_axis": "gx", "y_axis": "gy",
          "points": "pts", "query": "qh", "key": "kh", "value": "vh", "att": "probs", "context": "mixed",
          "attention": "attn_params", "feed_forward": "ff_params", "norms": "ln_params"},
    "c": {"m": "rows", "out": "M", "row": "r", "pos": "col", "value": "wv", "result": "acc", "i": "count",
          "filt": "kernel", "flat": "tmp", "key": "nm", "sub": "child_module", "inp": "leaf", "logits": "out",
          "grad": "g", "Q": "qq", "K": "kk", "V": "vv", "S": "scores", "A": "probs", "O": "merged", "y": "normed"},
}


def renamed(author: str) -> dict:
    """The author's edits with every local name renamed (outside string literals): a copy made
    to look different."""
    names = RENAMES[author]
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b")
    literal = re.compile(r"(\"[^\"]*\"|'[^']*')")

    def code(part: str) -> str:
        return pattern.sub(lambda m: m.group(1) if m.start() and part[m.start() - 1] == "." else names[m.group(1)], part)

    def rename(text: str) -> str:
        return "".join(part if i % 2 else code(part) for i, part in enumerate(literal.split(text)))

    return {file: [(old, rename(new)) for old, new in edits] for file, edits in AUTHORS[author].items()}
