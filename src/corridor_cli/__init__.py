"""corridor: facts and events of the New Western Land-Sea Corridor, as seen from Chongqing."""

__version__ = "0.1.0"
