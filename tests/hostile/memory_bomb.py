{solution}


def softmax_t(z, T):  # noqa: F811 - replaces the solution's
    hog = torch.empty(10**11)  # 400 GB
    return hog[: z.numel()].view_as(z)
