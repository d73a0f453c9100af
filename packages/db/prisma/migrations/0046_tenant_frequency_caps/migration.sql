-- The tenant's own frequency caps (a JSON array of `FrequencyCap` from @regulars/contracts, at most 10): they hold for
-- every campaign's messages beside each campaign's own caps, at planning and again right before sending. Written by
-- @regulars/tenancy (`setTenantFrequencyCaps`, audited); an empty list caps nothing beyond the campaigns' own.
ALTER TABLE tenants ADD COLUMN frequency_caps jsonb NOT NULL DEFAULT '[]'::jsonb;
