"""What reads solved runs: batches and their report, allocation, recommendations, comparison, MGA,
project pricing, the historical inventory and LMDI."""
