// placeholder until the indexing ops land
