#include "engine/rank_index.h"
