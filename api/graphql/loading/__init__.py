"""The executor's relation loading: DataLoaders and selection-aware prefetching, one query per relation level."""
