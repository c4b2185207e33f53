-- The version of the terms each application agreed to (issue 11; docs/terms.md): MyNa Point's
-- terms for a MyNa Point application, マイナポータル利用規約 for a portal-user registration (the
-- insurance application has stored its version since 0001). NULL for rows written before.
ALTER TABLE point_applications ADD COLUMN terms_version TEXT;
ALTER TABLE portal_users ADD COLUMN terms_version TEXT;
