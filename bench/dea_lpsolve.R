# Baseline: input-oriented DEA scores with R's lpSolve, one lp() per unit against all.
#   Rscript bench/dea_lpsolve.R units.csv crs|vrs scores.csv
# Prints the solve time (seconds) on stdout.
suppressMessages(library(lpSolve))
args <- commandArgs(trailingOnly = TRUE)
d <- as.matrix(read.csv(args[1]))
rts <- args[2]
x <- d[, 1:3, drop = FALSE]
y <- d[, 4:5, drop = FALSE]
n <- nrow(d)
scores <- numeric(n)
t0 <- proc.time()[["elapsed"]]
# Variables: theta, lambda_1..lambda_n.
base <- rbind(cbind(0, t(x)), cbind(0, t(y)))
dir <- c(rep("<=", 3), rep(">=", 2))
if (rts == "vrs") {
  base <- rbind(base, c(0, rep(1, n)))
  dir <- c(dir, "=")
}
obj <- c(1, rep(0, n))
for (j in 1:n) {
  a <- base
  a[1:3, 1] <- -x[j, ]
  rhs <- c(0, 0, 0, y[j, ])
  if (rts == "vrs") rhs <- c(rhs, 1)
  res <- lp("min", obj, a, dir, rhs)
  scores[j] <- res$solution[1]
}
elapsed <- proc.time()[["elapsed"]] - t0
write.csv(data.frame(unit = 0:(n - 1), score = scores), args[3], row.names = FALSE)
cat(sprintf("%.3f\n", elapsed))
