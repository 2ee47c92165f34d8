// placeholder
self.onmessage = () => {};
