"""The solution as an xarray Dataset (every per-sector, per-measure and per-district account),
netCDF, CSV and IAMC files, and the accounts read back from them."""
