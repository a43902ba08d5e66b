package push

// The API quotas of Mobile Push, as documented (help.aliyun.com document
// 2249912, "API速率配额"). Each is counted per region, API and main account
// ("API限速维度: regionId, API, ParentUid"): every RAM user's AccessKey of
// one main account draws on the same quota.
const (
	QuotaContinuouslyPush = 500       // calls per second
	QuotaPush             = 1_000_000 // calls per 60 seconds
	QuotaComplete         = 10_000    // CompleteContinuouslyPush calls per 60 seconds
	QuotaQueryStats       = 50        // QueryPushStatByMsg calls per second
)

// The default rates, in calls per second, of the limiter that every worker
// of an account shares. They are the one source of these defaults: config,
// jobs and worker all use them.
//
// A quota per second is the rate as it is. A quota of N calls per 60
// seconds becomes N/61 calls per second: the limiter lets a burst of a
// tenth of a second's calls through on top of its steady rate, and 60
// seconds at N/61 a second plus such a burst stays under N in any window
// of 60 seconds (Push: 16,393/s, at most 985,219 in 60 s; complete:
// 163/s, at most 9,796).
const (
	RateContinuouslyPushDefault = QuotaContinuouslyPush
	RatePushDefault             = QuotaPush / 61
	RateCompleteDefault         = QuotaComplete / 61
	RateQueryStatsDefault       = QuotaQueryStats
)
