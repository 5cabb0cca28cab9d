"""Log stores behind one seam: a package per store (loki/, demo/), each implementing `base`."""
