def load_model(:
    pass
